/// How a model's first layers treat the input resolution.
public enum Stem: String, Sendable {
    /// torchvision's stem as published: ResNet-18 divides the side by 4 (conv7×7/2, maxpool/2) and
    /// MobileNetV2 by 2 before the first stage. The model is then exactly torchvision's at any size.
    case imagenet
    /// The CIFAR adaptation: the stem keeps full resolution (ResNet-18 conv3×3/1 without pooling,
    /// MobileNetV2 stride 1), since dividing a small image at once leaves the later stages almost no pixels.
    case cifar

    /// ImageNet's from `Models.largeInputSide` up, CIFAR's below it.
    public static func automatic(inputSize: Int) -> Stem {
        inputSize >= Models.largeInputSide ? .imagenet : .cifar
    }
}

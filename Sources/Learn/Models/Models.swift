/// The model zoo's shared pieces. Each builder (`SmallCNN`, `ResNet18`, `MobileNetV2`) returns a
/// `Sequential` taking (N, 3, S, S) images, S = `inputSize`, to (N, classes) logits.
public enum Models {
    /// From this input side up the networks keep the ImageNet stem, which divides the side by 4
    /// (ResNet) or 2 (MobileNetV2) at once; below it that would leave almost no pixels for the
    /// later stages, so the stem keeps full resolution instead (the usual CIFAR adaptation).
    public static let largeInputSide = 128

    /// Trainable values in the model: every parameter's element count (running statistics excluded,
    /// as PyTorch's `sum(p.numel() for p in model.parameters())`).
    public static func parameterCount(_ model: any Layer) -> Int {
        model.parameters.reduce(0) { $0 + $1.value.count }
    }

    /// conv(kernel, stride, "same" padding, no bias) → batch norm: the unit every model here is built
    /// from; the bias is left out because the batch norm's beta already shifts each channel.
    static func convBatchNorm(
        _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1, backend: any Backend,
        random: inout Random
    ) -> [any Layer] {
        [
            Conv2DLayer(inChannels: inChannels, outChannels: outChannels, kernel: kernel, stride: stride,
                        padding: (kernel - 1) / 2, groups: groups, bias: false, backend: backend, random: &random),
            BatchNorm2DLayer(channels: outChannels, backend: backend),
        ]
    }

    static func validate(classes: Int, inputSize: Int, channels: Int) {
        precondition(classes > 0 && inputSize > 0 && channels > 0,
                     "a model needs classes, an input size and channels, got \(classes), \(inputSize), \(channels)")
    }
}

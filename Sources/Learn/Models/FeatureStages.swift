/// A classification backbone cut where dense heads tap it: four consecutive parts whose outputs are the
/// feature maps at strides 4, 8, 16 and 32 of the input with the ImageNet stem (1, 2, 4 and 8 for
/// ResNet-18's CIFAR stem, 2, 4, 8 and 16 for MobileNetV2's). A detector or segmenter runs the parts in
/// order and reads their outputs (`FeaturePyramid`); the classifiers are the same parts with their heads after.
public struct FeatureStages {
    public let parts: [Sequential]
    /// Each part's output channels.
    public let channels: [Int]
    /// Each part's output stride: the input side over the feature map's side.
    public let strides: [Int]

    init(parts: [[any Layer]], channels: [Int], strides: [Int]) {
        precondition(parts.count == 4 && channels.count == 4 && strides.count == 4, "a backbone is cut in four parts")
        self.parts = parts.map(Sequential.init)
        (self.channels, self.strides) = (channels, strides)
    }

    /// Every layer of the parts, in order.
    var layers: [any Layer] { parts.flatMap(\.layers) }
}

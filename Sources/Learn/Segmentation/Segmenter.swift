/// A light semantic segmenter: a feature pyramid fusing the backbone's maps from stride 4 up
/// (`FeaturePyramid`), two conv3×3-BN-ReLU, and a conv1×1 giving every location of the stride-4 map a
/// logit per class, the background first:
///
///     (N, 3, S, S) → (N, classes + 1, S/4, S/4)     (ImageNet stem; S a multiple of 32)
///
/// It learns from polygons rasterized at its own resolution (`PixelCrossEntropy`), and its logits are
/// resized to the image bilinearly before each pixel takes its best class (`SegmentationDecoder`), as
/// DeepLab's light decoders do.
public final class Segmenter: PyramidModel {
    /// Object classes; the output has one more channel, 0 the background.
    public let classes: Int
    public let pyramid: FeaturePyramid
    /// The decoder and the head.
    public let top: Sequential
    public let backend: any Backend

    public init(classes: Int, backbone: FeatureStages, pyramidChannels: Int, backend: any Backend = CPUBackend.shared,
                random: inout Random) {
        precondition(classes > 0 && pyramidChannels > 0, "a segmenter needs classes and pyramid channels")
        (self.classes, self.backend) = (classes, backend)
        pyramid = FeaturePyramid(backbone: backbone, first: 0, channels: pyramidChannels, backend: backend, random: &random)
        let decoder = (0..<2).flatMap { _ in
            Models.convBatchNorm(pyramidChannels, pyramidChannels, kernel: 3, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend)]
        }
        top = Sequential(decoder + [Conv2DLayer(inChannels: pyramidChannels, outChannels: classes + 1, kernel: 1, backend: backend,
                                                random: &random)])
    }
}

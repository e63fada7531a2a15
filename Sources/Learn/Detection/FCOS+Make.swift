extension FCOS {
    /// The zoo's backbones a detector or segmenter builds on.
    public enum Backbone: String, Sendable, CaseIterable {
        case resnet18
        case mobileNetV2
    }

    /// A detector for `classes` on (N, 3, S, S) images, S a multiple of 32 with the ImageNet stem.
    /// `width` scales the backbone and the pyramid's 128 channels alike.
    public static func make(
        classes: Int, backbone: Backbone, inputSize: Int, width: Double = 1, stem: Stem? = nil,
        backend: any Backend = CPUBackend.shared, random: inout Random
    ) -> FCOS {
        Models.validate(classes: classes, inputSize: inputSize, channels: 3)
        let stages = switch backbone {
        case .resnet18: ResNet18.features(inputSize: inputSize, width: width, stem: stem, backend: backend, random: &random)
        case .mobileNetV2: MobileNetV2.features(inputSize: inputSize, width: width, stem: stem, backend: backend, random: &random)
        }
        return FCOS(classes: classes, backbone: stages, pyramidChannels: max(64, Int((128 * width).rounded())), backend: backend,
                    random: &random)
    }
}

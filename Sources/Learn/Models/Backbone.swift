/// The zoo's backbones a detector or segmenter builds on, cut where dense heads tap them.
public enum Backbone: String, Sendable, CaseIterable {
    case resnet18
    case mobileNetV2

    /// The backbone for (N, 3, S, S) images, S = `inputSize`, its width scaled by `width`.
    public func features(inputSize: Int, width: Double, stem: Stem?, backend: any Backend, random: inout Random) -> FeatureStages {
        switch self {
        case .resnet18: ResNet18.features(inputSize: inputSize, width: width, stem: stem, backend: backend, random: &random)
        case .mobileNetV2: MobileNetV2.features(inputSize: inputSize, width: width, stem: stem, backend: backend, random: &random)
        }
    }

    /// A pyramid's channels at `width`: 128 scaled, and 64 at least, since telling classes apart happens in
    /// the layers on the pyramid (docs/decisions.md).
    static func pyramidChannels(width: Double) -> Int {
        max(64, Int((128 * width).rounded()))
    }
}

/// A dense model: a feature pyramid, then layers at its finest stride (`top`, ending in the head). The detector
/// and the segmenter differ only in what `top` holds and how its output is read.
public protocol PyramidModel: ContainerLayer {
    var pyramid: FeaturePyramid { get }
    var top: Sequential { get }

    init(classes: Int, backbone: FeatureStages, pyramidChannels: Int, backend: any Backend, random: inout Random)
}

extension PyramidModel {
    /// The zoo's model for `classes` on (N, 3, S, S) images, S a multiple of 32 with the ImageNet stem; `width`
    /// scales the backbone and the pyramid's channels alike.
    public static func make(
        classes: Int, backbone: Backbone, inputSize: Int, width: Double = 1, stem: Stem? = nil,
        backend: any Backend = CPUBackend.shared, random: inout Random
    ) -> Self {
        Models.validate(classes: classes, inputSize: inputSize, channels: 3)
        let stages = backbone.features(inputSize: inputSize, width: width, stem: stem, backend: backend, random: &random)
        return Self(classes: classes, backbone: stages, pyramidChannels: Backbone.pyramidChannels(width: width), backend: backend,
                    random: &random)
    }

    /// Input pixels per output location along each side.
    public var stride: Int { pyramid.stride }
    public var children: [any Layer] { [pyramid, top] }
    public var parameters: [Parameter] { children.flatMap(\.parameters) }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        top.forward(pyramid.forward(input, training: training), training: training)
    }

    public func backward(_ gradient: Tensor) -> Tensor {
        pyramid.backward(top.backward(gradient))
    }

    public func accumulateGradients(_ gradient: Tensor) {
        pyramid.accumulateGradients(top.backward(gradient))
    }
}

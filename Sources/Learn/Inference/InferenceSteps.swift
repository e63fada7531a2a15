/// One part of a compiled model (`InferenceModel`): a batch in, its output out, on one backend.
protocol InferenceStep {
    func run(_ input: Tensor) -> Tensor
}

struct SequenceStep: InferenceStep {
    let steps: [any InferenceStep]

    func run(_ input: Tensor) -> Tensor {
        steps.reduce(input) { $1.run($0) }
    }
}

/// A layer the compiler has no fused form for, run as its own evaluation forward.
struct LayerStep: InferenceStep {
    let layer: any Layer

    init(_ layer: any Layer) { self.layer = layer }

    func run(_ input: Tensor) -> Tensor {
        layer.forward(input, training: false)
    }
}

struct ConvolutionStep: InferenceStep {
    let convolution: FusedConvolution
    let backend: any Backend

    init(_ convolution: FusedConvolution, backend: any Backend) {
        (self.convolution, self.backend) = (convolution, backend)
    }

    func run(_ input: Tensor) -> Tensor {
        backend.fusedConvolution(input, convolution, residual: nil)
    }
}

/// y = activation(main(x) + shortcut(x)), the shortcut the identity when nil (`BasicBlock`, and
/// MobileNetV2's inverted residuals in a `Residual`): the main path's last convolution adds the shortcut's
/// output and applies the activation as it stores its own.
struct ResidualStep: InferenceStep {
    let main: SequenceStep
    let last: FusedConvolution
    let shortcut: (any InferenceStep)?
    let backend: any Backend

    /// Whether `layers` end in a convolution, optionally with its batch norm, for the sum to fuse into.
    static func fits(_ layers: [any Layer]) -> Bool {
        layers.last is Conv2DLayer || (layers.last is BatchNorm2DLayer && layers.dropLast().last is Conv2DLayer)
    }

    init(main layers: [any Layer], shortcut: (any InferenceStep)?, activation: Activation?, backend: any Backend) throws {
        precondition(Self.fits(layers), "a residual path must end in a convolution")
        let start = layers.last is BatchNorm2DLayer ? layers.count - 2 : layers.count - 1
        main = try InferenceModel.sequence(Array(layers[..<start]), backend: backend)
        last = try InferenceModel.fuse(layers[start...], activation: activation, backend: backend)!.0
        (self.shortcut, self.backend) = (shortcut, backend)
    }

    func run(_ input: Tensor) -> Tensor {
        let skip = shortcut?.run(input) ?? input
        return backend.fusedConvolution(main.run(input), last, residual: skip)
    }
}

/// `FeaturePyramid`'s forward with each level's lateral convolution adding the coarser level, doubled,
/// as it stores its output.
struct PyramidStep: InferenceStep {
    let parts: [SequenceStep]
    let laterals: [FusedConvolution]
    let first: Int
    let backend: any Backend

    init(_ pyramid: FeaturePyramid, backend: any Backend) throws {
        parts = try pyramid.backbone.parts.map { try InferenceModel.sequence($0.layers, backend: backend) }
        laterals = try pyramid.laterals.map { try FusedConvolution($0, norm: nil, activation: nil, backend: backend) }
        (first, self.backend) = (pyramid.first, backend)
    }

    func run(_ input: Tensor) -> Tensor {
        var features: [Tensor] = []
        for part in parts { features.append(part.run(features.last ?? input)) }
        let top = parts.count - 1
        var fused = backend.fusedConvolution(features[top], laterals[top - first], residual: nil)
        for level in stride(from: top - 1, through: first, by: -1) {
            fused = backend.fusedConvolution(features[level], laterals[level - first], residual: backend.upsampleNearest(fused, factor: 2))
        }
        return fused
    }
}

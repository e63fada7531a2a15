/// A model compiled for evaluation, the path evaluations and pre-labels take: every convolution with the
/// batch norm after it folded in and its activation, and the sum of a residual block, fused into the pass
/// that stores its output (`FusedConvolution`); Winograd kernels transformed once; dropout gone. What it
/// does not know (a layer of another kind) runs as the layer's own evaluation forward.
///
/// Convolutions are folded into copies when it is made, while the layers it runs as they are read their
/// own weights: compile again whenever the model's weights change. Not for concurrent use, since those
/// layers keep their last input.
public final class InferenceModel {
    let root: any InferenceStep
    public let backend: any Backend

    /// Throws when the model's weights cannot be read back from its device.
    public init(_ model: any Layer, backend: any Backend) throws {
        self.backend = backend
        root = try Self.compile(model, backend: backend)
    }

    /// The model's evaluation-mode output for a batch on the backend's device.
    public func forward(_ input: Tensor) -> Tensor {
        root.run(input)
    }

    static func compile(_ layer: any Layer, backend: any Backend) throws -> any InferenceStep {
        switch layer {
        case let sequential as Sequential:
            return try sequence(sequential.layers, backend: backend)
        case let block as BasicBlock:
            return try ResidualStep(main: block.main.layers, shortcut: block.shortcut.map { try compile($0, backend: backend) },
                                    activation: .relu, backend: backend)
        case let residual as Residual:
            guard let inner = residual.inner as? Sequential, ResidualStep.fits(inner.layers) else { return LayerStep(layer) }
            return try ResidualStep(main: inner.layers, shortcut: nil, activation: nil, backend: backend)
        case let pyramid as FeaturePyramid:
            return try PyramidStep(pyramid, backend: backend)
        case let model as any PyramidModel:
            return SequenceStep(steps: [try compile(model.pyramid, backend: backend), try compile(model.top, backend: backend)])
        case let convolution as Conv2DLayer:
            return ConvolutionStep(try FusedConvolution(convolution, norm: nil, activation: nil, backend: backend), backend: backend)
        default:
            return LayerStep(layer)
        }
    }

    /// Layers in order, each convolution taking the batch norm and the activation right after it; dropout,
    /// the identity in evaluation, left out.
    static func sequence(_ layers: [any Layer], backend: any Backend) throws -> SequenceStep {
        var (steps, index) = ([any InferenceStep](), 0)
        while index < layers.count {
            if let (convolution, count) = try fuse(layers[index...], backend: backend) {
                steps.append(ConvolutionStep(convolution, backend: backend))
                index += count
                continue
            }
            if !(layers[index] is Dropout) { steps.append(try compile(layers[index], backend: backend)) }
            index += 1
        }
        return SequenceStep(steps: steps)
    }

    /// A convolution at the start of `layers` with the batch norm and the activation that follow it, and
    /// how many layers that took; nil when `layers` does not start with a convolution.
    static func fuse(_ layers: ArraySlice<any Layer>, activation last: Activation? = nil, backend: any Backend) throws
        -> (FusedConvolution, Int)? {
        guard let convolution = layers.first as? Conv2DLayer else { return nil }
        var index = layers.startIndex + 1
        let norm = index < layers.endIndex ? layers[index] as? BatchNorm2DLayer : nil
        if norm != nil { index += 1 }
        let activation = index < layers.endIndex ? (layers[index] as? ActivationLayer)?.kind : nil
        if activation != nil { index += 1 }
        return (try FusedConvolution(convolution, norm: norm, activation: activation ?? last, backend: backend), index - layers.startIndex)
    }
}

/// An elementwise nonlinearity over any shape: `.relu` max(0, x), or `.relu6` min(max(0, x), 6),
/// MobileNetV2's, bounded so activations stay in a range low-precision inference represents well.
public final class ActivationLayer: Layer {
    public let kind: Activation
    public let backend: any Backend
    private var input: Tensor?

    public init(_ kind: Activation, backend: any Backend = CPUBackend.shared) {
        self.kind = kind
        self.backend = backend
    }

    public var parameters: [Parameter] { [] }

    // x is any shape, y has the same shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        return backend.activation(kind, input)
    }

    // dy has x's shape; dx = dy where the function's slope is 1, else 0 (kinks take the flat side)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("\(kind) backward before forward") }
        precondition(gradient.shape == input.shape, "\(kind) backward got \(gradient.shape), expected \(input.shape)")
        return backend.activationBackward(kind, gradient, input: input)
    }
}

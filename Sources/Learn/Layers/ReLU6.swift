/// min(max(0, x), 6), elementwise, any shape: MobileNetV2's activation, bounded so activations
/// stay in a range that low-precision inference represents well.
public final class ReLU6: Layer {
    public let backend: any Backend
    private var input: Tensor?

    public init(backend: any Backend = CPUBackend.shared) {
        self.backend = backend
    }

    public var parameters: [Parameter] { [] }

    // x is any shape, y has the same shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        return backend.activation(.relu6, input)
    }

    // dy has x's shape; dx = dy where 0 < x < 6, else 0 (the kinks take the flat side)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("ReLU6.backward before forward") }
        precondition(gradient.shape == input.shape, "ReLU6.backward got \(gradient.shape), expected \(input.shape)")
        return backend.activationBackward(.relu6, gradient, input: input)
    }
}

/// max(0, x), elementwise, any shape.
public final class ReLU: Layer {
    public let backend: any Backend
    private var input: Tensor?

    public init(backend: any Backend = CPUBackend.shared) {
        self.backend = backend
    }

    public var parameters: [Parameter] { [] }

    // x is any shape, y has the same shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        self.input = input
        return backend.activation(.relu, input)
    }

    // dy has x's shape; dx = dy where x > 0, else 0 (the subgradient at 0 is taken as 0)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("ReLU.backward before forward") }
        precondition(gradient.shape == input.shape, "ReLU.backward got \(gradient.shape), expected \(input.shape)")
        return backend.activationBackward(.relu, gradient, input: input)
    }
}

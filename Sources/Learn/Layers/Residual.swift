/// y = inner(x) + x: a skip connection, so the inner block learns a correction to the identity.
public final class Residual: Layer {
    public let inner: any Layer
    public let backend: any Backend

    public init(_ inner: any Layer, backend: any Backend = CPUBackend.shared) {
        self.inner = inner
        self.backend = backend
    }

    public var parameters: [Parameter] { inner.parameters }

    // x is any shape, inner(x) must have the same shape, y has it too
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var output = inner.forward(input, training: training)
        precondition(output.shape == input.shape, "Residual inner block changed the shape \(input.shape) to \(output.shape)")
        backend.add(input, into: &output)
        return output
    }

    // dy has x's shape; dx = inner.backward(dy) + dy, the two paths summed
    public func backward(_ gradient: Tensor) -> Tensor {
        var inputGradient = inner.backward(gradient)
        backend.add(gradient, into: &inputGradient)
        return inputGradient
    }
}

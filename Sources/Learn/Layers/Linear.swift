/// y = x · W + b: a fully connected layer.
public final class Linear: Layer {
    public let inputSize: Int
    public let outputSize: Int
    /// (in, out), so forward is a plain GEMM with no transpose.
    public let weight: Parameter
    /// (out)
    public let bias: Parameter
    public let backend: any Backend
    private var input: Tensor?

    /// He/Kaiming-uniform weights, bound √(6 / in), which keeps activation variance steady through
    /// ReLU stacks; zero bias, since the weights alone already break symmetry.
    public init(inputSize: Int, outputSize: Int, backend: any Backend = CPUBackend.shared, random: inout Random) {
        precondition(inputSize > 0 && outputSize > 0, "Linear needs positive sizes, got \(inputSize)→\(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.backend = backend
        let bound = (6 / Float(inputSize)).squareRoot()
        let values = (0..<inputSize * outputSize).map { _ in (2 * random.uniform() - 1) * bound }
        weight = Parameter(name: "weight", value: Tensor(shape: [inputSize, outputSize], storage: values))
        bias = Parameter(name: "bias", value: Tensor(zeros: [outputSize]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    // x is (N, in), w is (in, out), b is (out), y is (N, out)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "Linear(\(inputSize)→\(outputSize)) got \(input.shape)")
        self.input = input
        return backend.linear(input, weight: weight.value, bias: bias.value)
    }

    // dy is (N, out): dW += xᵀ · dy is (in, out), db += Σ_rows dy, dx = dy · Wᵀ is (N, in)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("Linear.backward before forward") }
        precondition(gradient.shape == [input.shape[0], outputSize],
                     "Linear.backward got \(gradient.shape), expected \([input.shape[0], outputSize])")
        let gradients = backend.linearBackward(gradient, input: input, weight: weight.value)
        backend.accumulate(gradients.weight, into: weight)
        backend.accumulate(gradients.bias, into: bias)
        return gradients.input
    }
}

/// y = x · W + b: a fully connected layer.
public final class Linear: Layer {
    public let inputSize: Int
    public let outputSize: Int
    /// (in, out), so forward is a plain GEMM with no transpose.
    public let weight: Parameter
    /// (out)
    public let bias: Parameter
    private var input: Tensor?

    /// He/Kaiming-uniform weights, bound √(6 / in), which keeps activation variance steady through
    /// ReLU stacks; zero bias, since the weights alone already break symmetry.
    public init(inputSize: Int, outputSize: Int, random: inout Random) {
        precondition(inputSize > 0 && outputSize > 0, "Linear needs positive sizes, got \(inputSize)→\(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        let bound = (6 / Float(inputSize)).squareRoot()
        let values = (0..<inputSize * outputSize).map { _ in (2 * random.uniform() - 1) * bound }
        weight = Parameter(name: "weight", value: Tensor(shape: [inputSize, outputSize], storage: values))
        bias = Parameter(name: "bias", value: Tensor(zeros: [outputSize]))
    }

    public var parameters: [Parameter] { [weight, bias] }

    // x is (N, in), w is (in, out), b is (out), y is (N, out)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.rank == 2 && input.shape[1] == inputSize, "Linear(\(inputSize)→\(outputSize)) got \(input.shape)")
        let batch = input.shape[0]
        var output = Tensor(zeros: [batch, outputSize])
        // Seed every row with the bias so the GEMM adds x · W onto it (beta = 1).
        for row in 0..<batch {
            for column in 0..<outputSize {
                output.storage[row * outputSize + column] = bias.value.storage[column]
            }
        }
        input.storage.withUnsafeBufferPointer { x in
            weight.value.storage.withUnsafeBufferPointer { w in
                output.storage.withUnsafeMutableBufferPointer { y in
                    GEMM.multiply(x.baseAddress!, w.baseAddress!, y.baseAddress!,
                                  m: batch, n: outputSize, k: inputSize, beta: 1)
                }
            }
        }
        self.input = input
        return output
    }

    // dy is (N, out): dW += xᵀ · dy is (in, out), db += Σ_rows dy, dx = dy · Wᵀ is (N, in)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let input else { preconditionFailure("Linear.backward before forward") }
        let batch = input.shape[0]
        precondition(gradient.shape == [batch, outputSize], "Linear.backward got \(gradient.shape), expected \([batch, outputSize])")
        var inputGradient = Tensor(zeros: input.shape)
        input.storage.withUnsafeBufferPointer { x in
            gradient.storage.withUnsafeBufferPointer { dy in
                weight.gradient.storage.withUnsafeMutableBufferPointer { dw in
                    GEMM.multiply(x.baseAddress!, dy.baseAddress!, dw.baseAddress!,
                                  m: inputSize, n: outputSize, k: batch, transposeA: true, beta: 1)
                }
                weight.value.storage.withUnsafeBufferPointer { w in
                    inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                        GEMM.multiply(dy.baseAddress!, w.baseAddress!, dx.baseAddress!,
                                      m: batch, n: inputSize, k: outputSize, transposeB: true)
                    }
                }
            }
        }
        for row in 0..<batch {
            for column in 0..<outputSize {
                bias.gradient.storage[column] += gradient.storage[row * outputSize + column]
            }
        }
        return inputGradient
    }
}

/// The host's cores: 3×3 stride-1 convolution by Winograd's F(2×2, 3×3) (F(4×4, 3×3) in compiled
/// evaluation), the others through im2col, both on sgemm; SIMD loops spread over the cores for the rest. Stateless, so one instance serves every model.
public final class CPUBackend: Backend {
    public static let shared = CPUBackend()

    public var device: Device { .cpu }

    public func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, training: Bool)
        -> (output: Tensor, cache: ConvolutionCache?) {
        convolve(input, weight: weight, bias: bias, shape: shape, training: training)
    }

    public func fusedConvolution(_ input: Tensor, _ convolution: FusedConvolution, residual: Tensor?) -> Tensor {
        let (shape, epilogue) = (convolution.layer.shape(for: input.shape), Epilogue(residual: residual, activation: convolution.activation))
        if let kernels = convolution.winogradKernels {
            return Winograd.evaluate(input: input, kernels: kernels, bias: convolution.bias, shape: shape, epilogue: epilogue)
        }
        return convolve(input, weight: convolution.weight, bias: convolution.bias, shape: shape, training: false, epilogue: epilogue).output
    }

    /// Winograd for 3×3 stride-1 convolutions, im2col (or the direct kernel) for the rest; evaluation's smaller chunks.
    private func convolve(_ input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, training: Bool, epilogue: Epilogue = .none)
        -> (output: Tensor, cache: ConvolutionCache?) {
        let chunkValues = training ? Conv2D.chunkValues : Conv2D.evaluationChunkValues
        return Winograd.applies(to: shape)
            ? Winograd.forward(input: input, weight: weight, bias: bias, shape: shape, keepInput: training, epilogue: epilogue,
                               chunkValues: chunkValues)
            : Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, keepColumns: training, epilogue: epilogue,
                             chunkValues: chunkValues)
    }

    public func convolutionBackward(
        _ gradient: Tensor, input: Tensor, weight: Tensor, shape: Conv2DShape, inputGradient: Bool, cache: ConvolutionCache?
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        Winograd.applies(to: shape)
            ? Winograd.backward(input: input, weight: weight, gradient: gradient, shape: shape, inputGradient: inputGradient,
                                kept: cache)
            : Conv2D.backward(input: input, weight: weight, gradient: gradient, shape: shape, inputGradient: inputGradient,
                              columns: cache)
    }

    public func batchNorm(
        _ input: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool
    ) -> (output: Tensor, cache: BatchNormCache) {
        BatchNorm2D.forward(input, gamma: gamma, beta: beta, runningMean: &runningMean, runningVariance: &runningVariance,
                            momentum: momentum, epsilon: epsilon, training: training)
    }

    public func batchNormBackward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        BatchNorm2D.backward(gradient, cache: cache)
    }

    public func channelSums(_ input: Tensor, center: [Float]?) -> [Double] {
        BatchNorm2D.channelSums(input, center: center)
    }

    public func batchNorm(_ input: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], inverseDeviation: [Float], count: Int)
        -> (output: Tensor, cache: BatchNormCache) {
        BatchNorm2D.normalize(input, gamma: gamma, beta: beta, mean: mean, inverseDeviation: inverseDeviation, training: true, count: count)
    }

    public func batchNormParameterGradients(_ gradient: Tensor, cache: BatchNormCache) -> (gamma: Tensor, beta: Tensor) {
        BatchNorm2D.parameterGradients(gradient, cache: cache)
    }

    public func batchNormInputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: [Float], betaSums: [Float]) -> Tensor {
        BatchNorm2D.inputGradient(gradient, cache: cache, gammaSums: gammaSums, betaSums: betaSums)
    }

    public func maxPool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: PoolIndices) {
        let (output, argmax) = Pool2D.maxForward(input, kernel: kernel, stride: stride, padding: padding)
        return (output, PoolIndices(values: argmax))
    }

    public func maxPoolOutput(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        Pool2D.maxOutput(input, kernel: kernel, stride: stride, padding: padding)
    }

    public func maxPoolBackward(_ gradient: Tensor, argmax: PoolIndices, inputShape: [Int], kernel: Int, stride: Int,
                                padding: Int) -> Tensor {
        Pool2D.maxBackward(gradient, argmax: argmax.values, inputShape: inputShape)
    }

    public func averagePool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        Pool2D.averageForward(input, kernel: kernel, stride: stride, padding: padding)
    }

    public func averagePoolBackward(_ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor {
        Pool2D.averageBackward(gradient, inputShape: inputShape, kernel: kernel, stride: stride, padding: padding)
    }

    public func globalAveragePool(_ input: Tensor) -> Tensor {
        Pool2D.globalAverageForward(input)
    }

    public func globalAveragePoolBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor {
        Pool2D.globalAverageBackward(gradient, inputShape: inputShape)
    }

    public func upsampleNearest(_ input: Tensor, factor: Int) -> Tensor {
        Upsample.nearest(input, factor: factor)
    }

    public func upsampleNearestBackward(_ gradient: Tensor, factor: Int) -> Tensor {
        Upsample.nearestBackward(gradient, factor: factor)
    }

    public func linear(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (batch, inputSize, outputSize) = (input.shape[0], input.shape[1], weight.shape[1])
        return Tensor(shape: [batch, outputSize]) { y in
            // Seed every row with the bias so the GEMM adds x · W onto it (beta = 1).
            for row in 0..<batch { (y + row * outputSize).initialize(from: bias.storage, count: outputSize) }
            input.storage.withUnsafeBufferPointer { x in
                weight.storage.withUnsafeBufferPointer { w in
                    GEMM.multiply(x.baseAddress!, w.baseAddress!, y, m: batch, n: outputSize, k: inputSize, beta: 1)
                }
            }
        }
    }

    // dW = xᵀ · dy (in, out), db = Σ_rows dy, dx = dy · Wᵀ (N, in)
    public func linearBackward(_ gradient: Tensor, input: Tensor, weight: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let (batch, inputSize, outputSize) = (input.shape[0], input.shape[1], weight.shape[1])
        var bias = Tensor(zeros: [outputSize])
        var inputGradient = Tensor(zeros: input.shape)
        let weightGradient = Tensor(shape: weight.shape) { dw in
            input.storage.withUnsafeBufferPointer { x in
                gradient.storage.withUnsafeBufferPointer { dy in
                    GEMM.multiply(x.baseAddress!, dy.baseAddress!, dw, m: inputSize, n: outputSize, k: batch, transposeA: true)
                    weight.storage.withUnsafeBufferPointer { w in
                        inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                            GEMM.multiply(dy.baseAddress!, w.baseAddress!, dx.baseAddress!,
                                          m: batch, n: inputSize, k: outputSize, transposeB: true)
                        }
                    }
                    for row in 0..<batch {
                        for column in 0..<outputSize { bias.storage[column] += dy[row * outputSize + column] }
                    }
                }
            }
        }
        return (inputGradient, weightGradient, bias)
    }

    public func activation(_ kind: Activation, _ input: Tensor) -> Tensor {
        switch kind {
        // NaN stays NaN, so a diverging run shows in its loss.
        case .relu: Elementwise.unary(input) { x, y, range in for i in range { y[i] = x[i] < 0 ? 0 : x[i] } }
        case .relu6: Elementwise.unary(input) { x, y, range in for i in range { y[i] = min(max(x[i], 0), 6) } }
        }
    }

    public func activationBackward(_ kind: Activation, _ gradient: Tensor, input: Tensor) -> Tensor {
        switch kind {
        case .relu: Elementwise.binary(gradient, input) { dy, x, dx, range in for i in range { dx[i] = x[i] > 0 ? dy[i] : 0 } }
        case .relu6:
            Elementwise.binary(gradient, input) { dy, x, dx, range in for i in range { dx[i] = x[i] > 0 && x[i] < 6 ? dy[i] : 0 } }
        }
    }

    public func add(_ source: Tensor, into target: inout Tensor) {
        Elementwise.add(source, into: &target)
    }

    public func dropout(_ input: Tensor, probability: Float, seed: UInt64) -> Tensor {
        let mask = DropoutMask(probability: probability, seed: seed)
        return Elementwise.unary(input) { x, y, range in for i in range { y[i] = x[i] * mask.scale(at: i) } }
    }

    public func dropoutBackward(_ gradient: Tensor, probability: Float, seed: UInt64) -> Tensor {
        dropout(gradient, probability: probability, seed: seed)
    }
}

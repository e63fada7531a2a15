/// Batch normalization per channel of NCHW images (PyTorch's BatchNorm2d) over the `BatchNorm2D`
/// kernel: batch statistics while training, the running ones in evaluation.
public final class BatchNorm2DLayer: Layer {
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    /// (C), starts at 1 so the layer begins as a plain normalization.
    public let gamma: Parameter
    /// (C), starts at 0.
    public let beta: Parameter
    /// (C) running statistics: not trained, but public because checkpoints save and restore them
    /// and evaluation depends on them.
    public var runningMean: Tensor
    public var runningVariance: Tensor
    public let backend: any Backend
    private var cache: BatchNormCache?

    public init(channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, backend: any Backend = CPUBackend.shared) {
        precondition(channels > 0, "BatchNorm2DLayer needs channels")
        precondition(momentum >= 0 && momentum <= 1 && epsilon > 0, "momentum \(momentum), epsilon \(epsilon)")
        (self.channels, self.momentum, self.epsilon, self.backend) = (channels, momentum, epsilon, backend)
        gamma = Parameter(name: "gamma", value: Tensor(repeating: 1, shape: [channels]))
        beta = Parameter(name: "beta", value: Tensor(zeros: [channels]))
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
    }

    public var parameters: [Parameter] { [gamma, beta] }

    // x is (N, C, H, W), y has the same shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (output, cache) = backend.batchNorm(
            input, gamma: gamma.value, beta: beta.value, runningMean: &runningMean,
            runningVariance: &runningVariance, momentum: momentum, epsilon: epsilon, training: training)
        self.cache = cache
        return output
    }

    // dy is (N, C, H, W): dgamma and dbeta (C) accumulate, dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let cache else { preconditionFailure("BatchNorm2DLayer.backward before forward") }
        let gradients = backend.batchNormBackward(gradient, cache: cache)
        backend.accumulate(gradients.gamma, into: gamma)
        backend.accumulate(gradients.beta, into: beta)
        return gradients.input
    }
}

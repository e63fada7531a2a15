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
    /// Set while this layer's model is one replica of a data-parallel step: training statistics, and
    /// the sums backward takes, then span every replica's slice of the batch (synchronized batch norm),
    /// so the replicas together compute what one device would on the whole batch.
    public var replicas: ReplicaGroup.Member?
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
        if training, let replicas { return forward(input, across: replicas) }
        let (output, cache) = backend.batchNorm(
            input, gamma: gamma.value, beta: beta.value, runningMean: &runningMean,
            runningVariance: &runningVariance, momentum: momentum, epsilon: epsilon, training: training)
        self.cache = cache
        return output
    }

    // dy is (N, C, H, W): dgamma and dbeta (C) accumulate, dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let cache else { preconditionFailure("BatchNorm2DLayer.backward before forward") }
        if cache.training, let replicas { return backward(gradient, cache: cache, across: replicas) }
        let gradients = backend.batchNormBackward(gradient, cache: cache)
        backend.accumulate(gradients.gamma, into: gamma)
        backend.accumulate(gradients.beta, into: beta)
        return gradients.input
    }
}

extension BatchNorm2DLayer {
    /// BatchNorm2D.forward's two passes with each replica's sums added across the group: the mean from
    /// Σx and the count, the variance from Σ(x − mean)², so every replica normalizes, and moves its
    /// running statistics, by the whole batch's.
    private func forward(_ input: Tensor, across replicas: ReplicaGroup.Member) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == channels, "batch norm input must be (N, \(channels), H, W), got \(input.shape)")
        let local = input.shape[0] * input.shape[2] * input.shape[3]
        let sums = replicas.sum(backend.channelSums(input, center: nil) + [Double(local)])
        let count = Int(sums[channels])
        precondition(count > 1, "training batch norm needs more than one value per channel")
        let mean = BatchNorm2D.means(Array(sums[..<channels]), count: count)
        let statistics = BatchNorm2D.Statistics(mean: mean, squaredDeviations: replicas.sum(backend.channelSums(input, center: mean)),
                                                count: count, epsilon: epsilon)
        // A failed device reads back nothing; its step throws at its end, so what it keeps here never counts.
        let nothing = [Float](repeating: 0, count: channels)
        var (means, variances) = ((try? runningMean.hostValues()) ?? nothing, (try? runningVariance.hostValues()) ?? nothing)
        statistics.update(runningMean: &means, runningVariance: &variances, momentum: momentum)
        runningMean = backend.upload(Tensor(shape: [channels], storage: means))
        runningVariance = backend.upload(Tensor(shape: [channels], storage: variances))
        let (output, cache) = backend.batchNorm(input, gamma: gamma.value, beta: beta.value, mean: mean,
                                                inverseDeviation: statistics.inverseDeviation, count: count)
        self.cache = cache
        return output
    }

    /// Backward with Σ dy·x̂ and Σ dy added across the group for the input gradient; gamma and beta
    /// keep this replica's share, which the data-parallel step adds up with every other gradient.
    private func backward(_ gradient: Tensor, cache: BatchNormCache, across replicas: ReplicaGroup.Member) -> Tensor {
        let local = backend.batchNormParameterGradients(gradient, cache: cache)
        backend.accumulate(local.gamma, into: gamma)
        backend.accumulate(local.beta, into: beta)
        let nothing = [Float](repeating: 0, count: channels)
        let sums = replicas.sum(((try? local.gamma.hostValues()) ?? nothing) + ((try? local.beta.hostValues()) ?? nothing))
        return backend.batchNormInputGradient(gradient, cache: cache, gammaSums: Array(sums[..<channels]),
                                              betaSums: Array(sums[channels...]))
    }
}

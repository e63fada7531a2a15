import CUDA
import Learn

/// Batch norm, pooling, the dense product, activations, sums and dropout on the device.
extension GPUBackend {
    public func batchNorm(
        _ input: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool
    ) -> (output: Tensor, cache: BatchNormCache) {
        precondition(input.rank == 4, "batch norm input must be (N, C, H, W), got \(input.shape)")
        let (batch, channels, plane) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
        precondition(!training || batch * plane > 1, "training batch norm needs more than one value per channel")
        let inverseDeviation = empty([channels])
        let mean: Tensor
        if training {
            mean = empty([channels])
            makeUnique(&runningMean)
            makeUnique(&runningVariance)
            launch(.batchNormStatistics, blocks: channels, reducing: batch * plane, [
                .address(input.address), .address(mean.address), .address(inverseDeviation.address),
                .address(runningMean.address), .address(runningVariance.address), .int(batch), .int(channels), .int(plane),
                .float(momentum), .float(epsilon),
            ])
        } else {
            mean = runningMean
            launch(.batchNormInverseDeviation, over: channels,
                   [.address(runningVariance.address), .address(inverseDeviation.address), .int(channels), .float(epsilon)])
        }
        return normalize(input, gamma: gamma, beta: beta, mean: mean, inverseDeviation: inverseDeviation, training: training,
                         count: batch * plane)
    }

    public func batchNormBackward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor) {
        let (gammaGradient, betaGradient) = batchNormParameterGradients(gradient, cache: cache)
        return (inputGradient(gradient, cache: cache, gammaSums: gammaGradient, betaSums: betaGradient), gammaGradient, betaGradient)
    }

    public func channelSums(_ input: Tensor, center: [Float]?) -> [Double] {
        precondition(input.rank == 4, "batch norm input must be (N, C, H, W), got \(input.shape)")
        let (batch, channels, plane) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
        let sums = buffer(bytes: channels * MemoryLayout<Double>.stride)
        let centers = center.map { upload($0, shape: [channels]) }
        launch(.batchNormSums, blocks: channels, reducing: batch * plane, [
            .address(input.address), .address(centers?.address ?? 0), .address(sums.address), .int(batch), .int(channels), .int(plane),
        ])
        // A failed backend's zeros: the replicas still meet at every sum, and the step throws at its end.
        return (try? download(sums.address, count: channels, as: Double.self)) ?? Array(repeating: 0, count: channels)
    }

    public func batchNorm(_ input: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], inverseDeviation: [Float], count: Int)
        -> (output: Tensor, cache: BatchNormCache) {
        let channels = input.shape[1]
        return normalize(input, gamma: gamma, beta: beta, mean: upload(mean, shape: [channels]),
                         inverseDeviation: upload(inverseDeviation, shape: [channels]), training: true, count: count)
    }

    public func batchNormParameterGradients(_ gradient: Tensor, cache: BatchNormCache) -> (gamma: Tensor, beta: Tensor) {
        precondition(gradient.shape == cache.normalized.shape, "gradient \(gradient.shape), expected \(cache.normalized.shape)")
        let (batch, channels, plane) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
        let (gammaGradient, betaGradient) = (empty([channels]), empty([channels]))
        launch(.batchNormBackwardReduce, blocks: channels, reducing: batch * plane, [
            .address(gradient.address), .address(cache.normalized.address), .address(gammaGradient.address),
            .address(betaGradient.address), .int(batch), .int(channels), .int(plane),
        ])
        return (gammaGradient, betaGradient)
    }

    public func batchNormInputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: [Float], betaSums: [Float]) -> Tensor {
        let channels = gradient.shape[1]
        return inputGradient(gradient, cache: cache, gammaSums: upload(gammaSums, shape: [channels]),
                             betaSums: upload(betaSums, shape: [channels]))
    }

    /// y = gamma·x̂ + beta, keeping x̂ for backward.
    private func normalize(_ input: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, inverseDeviation: Tensor, training: Bool,
                           count: Int) -> (output: Tensor, cache: BatchNormCache) {
        let (batch, channels, plane) = (input.shape[0], input.shape[1], input.shape[2] * input.shape[3])
        let (output, normalized) = (empty(input.shape), empty(input.shape))
        launch(.batchNormNormalize, over: input.count, [
            .address(input.address), .address(output.address), .address(normalized.address), .address(mean.address),
            .address(inverseDeviation.address), .address(gamma.address), .address(beta.address), .int(batch), .int(channels),
            .int(plane),
        ])
        return (output, BatchNormCache(normalized: normalized, inverseDeviation: inverseDeviation, gamma: gamma, training: training,
                                       count: count))
    }

    /// dx from the sums of dy·x̂ and dy over the `cache.count` values per channel, on the device.
    private func inputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: Tensor, betaSums: Tensor) -> Tensor {
        let (batch, channels, plane) = (gradient.shape[0], gradient.shape[1], gradient.shape[2] * gradient.shape[3])
        let inputGradient = empty(gradient.shape)
        launch(.batchNormBackwardInput, over: inputGradient.count, [
            .address(gradient.address), .address(cache.normalized.address), .address(cache.inverseDeviation.address),
            .address(cache.gamma.address), .address(gammaSums.address), .address(betaSums.address),
            .address(inputGradient.address), .int(batch), .int(channels), .int(plane), .int(cache.training ? 1 : 0), .int(cache.count),
        ])
        return inputGradient
    }

    public func maxPool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: PoolIndices) {
        let window = Pool2D.Geometry(input.shape, kernel: kernel, stride: stride, padding: padding)
        let output = empty(window.outputShape)
        let argmax = buffer(bytes: output.count * 4)
        launch(.maxPoolForward, over: output.count,
               [.address(input.address), .address(output.address), .address(argmax.address)] + window.arguments)
        return (output, PoolIndices(deviceBuffer: argmax))
    }

    public func maxPoolBackward(_ gradient: Tensor, argmax: PoolIndices, inputShape: [Int], kernel: Int, stride: Int,
                                padding: Int) -> Tensor {
        guard let indices = argmax.deviceBuffer else { preconditionFailure("max pooling indices from another device") }
        let window = Pool2D.Geometry(inputShape, kernel: kernel, stride: stride, padding: padding)
        precondition(gradient.shape == window.outputShape, "gradient \(gradient.shape), expected \(window.outputShape)")
        let inputGradient = empty(inputShape)
        launch(.maxPoolBackward, over: inputGradient.count,
               [.address(gradient.address), .address(indices.address), .address(inputGradient.address)] + window.arguments)
        return inputGradient
    }

    public func averagePool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor {
        let window = Pool2D.Geometry(input.shape, kernel: kernel, stride: stride, padding: padding)
        let output = empty(window.outputShape)
        launch(.averagePoolForward, over: output.count, [.address(input.address), .address(output.address)] + window.arguments)
        return output
    }

    public func averagePoolBackward(_ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor {
        let window = Pool2D.Geometry(inputShape, kernel: kernel, stride: stride, padding: padding)
        precondition(gradient.shape == window.outputShape, "gradient \(gradient.shape), expected \(window.outputShape)")
        let inputGradient = empty(inputShape)
        launch(.averagePoolBackward, over: inputGradient.count,
               [.address(gradient.address), .address(inputGradient.address)] + window.arguments)
        return inputGradient
    }

    public func globalAveragePool(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "global average pooling needs (N, C, H, W), got \(input.shape)")
        let output = empty([input.shape[0], input.shape[1]])
        launch(.globalAveragePoolForward, over: output.count,
               [.address(input.address), .address(output.address), .int(output.count), .int(input.shape[2] * input.shape[3])])
        return output
    }

    public func globalAveragePoolBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor {
        let inputGradient = empty(inputShape)
        launch(.globalAveragePoolBackward, over: inputGradient.count, [
            .address(gradient.address), .address(inputGradient.address), .int(gradient.count),
            .int(inputShape[2] * inputShape[3]),
        ])
        return inputGradient
    }

    public func upsampleNearest(_ input: Tensor, factor: Int) -> Tensor {
        precondition(input.rank == 4 && factor >= 1, "nearest upsampling needs (N, C, H, W) and a factor ≥ 1, got \(input.shape), \(factor)")
        let output = empty([input.shape[0], input.shape[1], input.shape[2] * factor, input.shape[3] * factor])
        launch(.upsampleNearestForward, over: output.count, [
            .address(input.address), .address(output.address), .int(input.shape[0] * input.shape[1]), .int(input.shape[2]),
            .int(input.shape[3]), .int(factor),
        ])
        return output
    }

    public func upsampleNearestBackward(_ gradient: Tensor, factor: Int) -> Tensor {
        precondition(gradient.rank == 4 && factor >= 1 && gradient.shape[2] % factor == 0 && gradient.shape[3] % factor == 0,
                     "nearest upsampling's gradient \(gradient.shape) is not a multiple of \(factor)")
        let inputGradient = empty([gradient.shape[0], gradient.shape[1], gradient.shape[2] / factor, gradient.shape[3] / factor])
        launch(.upsampleNearestBackward, over: inputGradient.count, [
            .address(gradient.address), .address(inputGradient.address), .int(gradient.shape[0] * gradient.shape[1]),
            .int(inputGradient.shape[2]), .int(inputGradient.shape[3]), .int(factor),
        ])
        return inputGradient
    }

    public func linear(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (batch, inputSize, outputSize) = (input.shape[0], input.shape[1], weight.shape[1])
        let output = empty([batch, outputSize])
        gemm(.nn, m: batch, n: outputSize, k: inputSize, Operand(address: input.address, leading: inputSize),
             Operand(address: weight.address, leading: outputSize), Operand(address: output.address, leading: outputSize))
        launch(.biasAddRows, over: output.count, [.address(output.address), .address(bias.address), .int(batch), .int(outputSize)])
        return output
    }

    // dW = xᵀ · dy (in, out), db = Σ_rows dy, dx = dy · Wᵀ (N, in)
    public func linearBackward(_ gradient: Tensor, input: Tensor, weight: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        let (batch, inputSize, outputSize) = (input.shape[0], input.shape[1], weight.shape[1])
        let (weightGradient, biasGradient, inputGradient) = (empty(weight.shape), empty([outputSize]), empty(input.shape))
        let dy = Operand(address: gradient.address, leading: outputSize)
        gemm(.tn, m: inputSize, n: outputSize, k: batch, Operand(address: input.address, leading: inputSize), dy,
             Operand(address: weightGradient.address, leading: outputSize))
        gemm(.nt, m: batch, n: inputSize, k: outputSize, dy, Operand(address: weight.address, leading: outputSize),
             Operand(address: inputGradient.address, leading: inputSize))
        // Each block of exactly 256 threads sums 32 columns.
        launch(.columnSums, grid: Dimensions((outputSize + 31) / 32), block: Dimensions(Self.blockSize),
               [.address(gradient.address), .address(biasGradient.address), .int(batch), .int(outputSize)])
        return (inputGradient, weightGradient, biasGradient)
    }

    public func activation(_ kind: Activation, _ input: Tensor) -> Tensor {
        let output = empty(input.shape)
        let name: KernelTable.Name = switch kind {
        case .relu: .reluForward
        case .relu6: .relu6Forward
        }
        launch(name, over: input.count, [.address(input.address), .address(output.address), .int(input.count)])
        return output
    }

    public func activationBackward(_ kind: Activation, _ gradient: Tensor, input: Tensor) -> Tensor {
        let inputGradient = empty(input.shape)
        let name: KernelTable.Name = switch kind {
        case .relu: .reluBackward
        case .relu6: .relu6Backward
        }
        launch(name, over: input.count,
               [.address(gradient.address), .address(input.address), .address(inputGradient.address), .int(input.count)])
        return inputGradient
    }

    public func add(_ source: Tensor, into target: inout Tensor) {
        precondition(source.shape == target.shape, "adding \(source.shape) into \(target.shape)")
        makeUnique(&target)
        launch(.add, over: source.count, [.address(source.address), .address(target.address), .int(source.count)])
    }

    public func dropout(_ input: Tensor, probability: Float, seed: UInt64) -> Tensor {
        let output = empty(input.shape)
        launch(.dropoutForward, over: input.count,
               [.address(input.address), .address(output.address), .int(input.count), .float(probability), .uint64(seed)])
        return output
    }

    public func dropoutBackward(_ gradient: Tensor, probability: Float, seed: UInt64) -> Tensor {
        let inputGradient = empty(gradient.shape)
        launch(.dropoutBackward, over: gradient.count,
               [.address(gradient.address), .address(inputGradient.address), .int(gradient.count), .float(probability), .uint64(seed)])
        return inputGradient
    }

    /// Gives `tensor` a buffer of its own before a kernel writes it in place, so that no other copy of
    /// the value changes with it (the copy on write `storage` has on the host).
    func makeUnique(_ tensor: inout Tensor) {
        if tensor.hasUniqueDeviceBuffer() { return }
        let copy = empty(tensor.shape)
        attempt { () throws(GPUError) in
            try stream.copy(from: tensor.address, toDevice: copy.address, bytes: tensor.count * 4)
        }
        tensor = copy
    }
}

extension Pool2D.Geometry {
    /// The sizes the pooling kernels take after their tensors.
    var arguments: [KernelArgument] {
        [.int(planes), .int(height), .int(width), .int(outHeight), .int(outWidth), .int(kernel), .int(stride), .int(padding)]
    }
}

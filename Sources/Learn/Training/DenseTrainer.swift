import Foundation

/// What a dense model (a detector, a segmenter) learns from: its head's output, brought to the host, and
/// each image's label give the batch's loss and dLoss/dOutput. The output is small beside the backbone's
/// work (a few hundred locations an image), so it comes down from a device for this and its gradient
/// goes back up.
public protocol DenseObjective: Sendable {
    associatedtype Label: Sendable
    /// The batch's loss, a mean as the objective defines it, and its gradient with the output's shape.
    func loss(_ output: [Float], shape: [Int], labels: [Label]) -> (loss: Float, gradient: [Float])
}

/// The training loop of a dense model: `Trainer`'s contract (steps per batch on the schedule, an epoch's
/// metrics and a checkpoint that resumes bit-exactly after it, stops between batches) with the model's
/// own objective in place of cross-entropy, and validation that the caller scores from the outputs. It
/// trains on one device: the loss runs on the host, which would serialize data-parallel replicas.
public final class DenseTrainer<Objective: DenseObjective> {
    public typealias Batch = (images: Tensor, labels: [Objective.Label])

    public let model: any Layer
    public let objective: Objective
    public let optimizer: any Optimizer
    public let schedule: LearningRateSchedule
    public let configuration: TrainingConfiguration
    public let backend: any Backend
    /// A stream for the caller's own randomness (augmentations); saved in checkpoints and restored from them.
    public var random = Random(seed: 0)
    /// Copied into every checkpoint this trainer makes.
    public var metadata: [String: String] = [:]

    /// `model` and `optimizer` must be built for `backend`, and a device model placed on it.
    public init(model: any Layer, objective: Objective, optimizer: any Optimizer, schedule: LearningRateSchedule,
                configuration: TrainingConfiguration, backend: any Backend = CPUBackend.shared) {
        (self.model, self.objective, self.optimizer, self.schedule) = (model, objective, optimizer, schedule)
        (self.configuration, self.backend) = (configuration, backend)
    }

    /// Trains from `checkpoint` (or the start) to the configured epochs, as `Trainer.run` does. After each
    /// epoch `validate(self)` gives the validation loss and the task's figure (nil without validation
    /// images), which `metrics` puts into the epoch's metrics.
    public func run(
        from checkpoint: Checkpoint?,
        trainBatches: (Int, Int) -> AnySequence<Batch>,
        batchesPerEpoch: Int,
        validate: (DenseTrainer) throws -> (loss: Float, score: Float)?,
        metrics: (inout EpochMetrics, Float) -> Void,
        shouldStop: () -> Bool,
        progress: (Int, Int, Float) -> Void,
        epochDone: (EpochMetrics, Checkpoint) -> Void
    ) throws -> Trainer.Outcome {
        precondition(batchesPerEpoch > 0, "an epoch needs batches")
        var start = (epoch: 0, batch: 0)
        var totals = EpochTotals()
        if let checkpoint {
            try checkpoint.restore(into: model, optimizer: optimizer)
            random = checkpoint.random
            start = (checkpoint.epoch, checkpoint.batch)
            totals = EpochTotals(metadata: checkpoint.metadata)
        }
        let parameters = model.parameters
        for epoch in start.epoch..<max(start.epoch, configuration.epochs) {
            let began = ContinuousClock.now
            var batch = epoch == start.epoch ? start.batch : 0
            if epoch != start.epoch { totals = EpochTotals() }
            configuration.backbone?.apply(to: parameters, epoch: epoch)
            var images = 0
            for (inputs, labels) in trainBatches(epoch, batch) {
                if shouldStop() { return .stopped(try makeCheckpoint(epoch: epoch, batch: batch, totals: totals)) }
                optimizer.learningRate = schedule.learningRate(at: epoch * batchesPerEpoch + batch)
                let value = try step(inputs, labels, parameters)
                guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch) }
                totals.add(loss: value, correct: 0, count: labels.count)
                images += labels.count
                progress(epoch, batch, value)
                batch += 1
            }
            let trainSeconds = began.secondsElapsed
            let validation = try validate(self)
            var epochMetrics = EpochMetrics(
                epoch: epoch, trainLoss: totals.meanLoss, trainAccuracy: nil, validationLoss: validation?.loss, validationAccuracy: nil,
                learningRate: optimizer.learningRate, imagesPerSecond: trainSeconds > 0 ? Float(Double(images) / trainSeconds) : 0,
                seconds: Float(began.secondsElapsed))
            if let score = validation?.score { metrics(&epochMetrics, score) }
            epochDone(epochMetrics, try makeCheckpoint(epoch: epoch + 1, batch: 0, totals: EpochTotals()))
        }
        return .completed
    }

    /// One optimizer step on a batch; returns its loss, and leaves the weights alone when that is not finite.
    private func step(_ images: Tensor, _ labels: [Objective.Label], _ parameters: [Parameter]) throws -> Float {
        for parameter in parameters { backend.zero(&parameter.gradient) }
        let output = model.forward(input(images), training: true)
        let result = objective.loss(try output.hostValues(), shape: output.shape, labels: labels)
        guard result.loss.isFinite else { return result.loss }
        model.accumulateGradients(output.replacingValues(result.gradient))
        if let maxNorm = configuration.gradientClipNorm { backend.clipGradientNorm(parameters, maxNorm: maxNorm) }
        optimizer.step(parameters)
        try backend.synchronize()
        return result.loss
    }

    /// Evaluation mode over `batches`: the mean loss per image, handing each batch's output (on the host,
    /// with its shape) and images to `each`.
    public func evaluate(_ batches: AnySequence<Batch>, each: ([Float], [Int], Tensor) throws -> Void) throws -> Float {
        var totals = EpochTotals()
        let compiled = try InferenceModel(model, backend: backend)
        for (images, labels) in batches {
            let (values, shape) = try infer(images, compiled)
            totals.add(loss: objective.loss(values, shape: shape, labels: labels).loss, correct: 0, count: labels.count)
            try each(values, shape, images)
        }
        return totals.meanLoss
    }

    /// The model's output for `images` in evaluation mode, on the host; the model is compiled for this call
    /// (`evaluate` compiles once for all its batches).
    public func infer(_ images: Tensor) throws -> (values: [Float], shape: [Int]) {
        try infer(images, InferenceModel(model, backend: backend))
    }

    private func infer(_ images: Tensor, _ compiled: InferenceModel) throws -> (values: [Float], shape: [Int]) {
        let output = compiled.forward(input(images))
        return (try output.hostValues(), output.shape)
    }

    private func input(_ images: Tensor) -> Tensor {
        configuration.pixelNormalization.map { backend.uploadPixels(images, normalization: $0) } ?? backend.upload(images)
    }

    private func makeCheckpoint(epoch: Int, batch: Int, totals: EpochTotals) throws -> Checkpoint {
        try Checkpoint(model: model, optimizer: optimizer, epoch: epoch, batch: batch, random: random,
                       metadata: metadata.merging(totals.metadata) { $1 })
    }
}

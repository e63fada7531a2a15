import Foundation

/// The training loop: one optimizer step per batch, epochs of a fixed number of batches, a
/// validation pass after each epoch, and checkpoints that resume bit-exactly. Batches come from
/// closures, so the loop knows nothing of images on disk and tests can feed it tensors directly.
public final class Trainer {
    public typealias Batch = (images: Tensor, labels: [Int])

    public enum Outcome: Sendable {
        case completed
        /// `shouldStop` asked to stop; the checkpoint resumes at the batch that was not trained.
        case stopped(Checkpoint)
    }

    /// The first replica's model, optimizer and backend: the one that evaluates and checkpoints.
    public let model: any Layer
    public let optimizer: any Optimizer
    public let schedule: LearningRateSchedule
    public let configuration: TrainingConfiguration
    /// Where the model computes: batches go up to it, and only the loss and correct count come back per step.
    public let backend: any Backend
    /// One, or several devices training data-parallel (`DataParallel`).
    public let replicas: [Replica]
    /// A stream for the caller's own randomness (augmentations); saved in checkpoints and restored from them.
    public var random = Random(seed: 0)
    /// Copied into every checkpoint this trainer makes.
    public var metadata: [String: String] = [:]

    /// `model` and `optimizer` must be built for `backend`, and a device model placed on it.
    public convenience init(model: any Layer, optimizer: any Optimizer, schedule: LearningRateSchedule,
                            configuration: TrainingConfiguration, backend: any Backend = CPUBackend.shared) {
        self.init(replicas: [Replica(model: model, optimizer: optimizer, backend: backend)], schedule: schedule,
                  configuration: configuration)
    }

    /// Trains `replicas` (the same model and optimizer, built alike, each placed on its own device) as
    /// one, each computing a slice of every batch.
    public init(replicas: [Replica], schedule: LearningRateSchedule, configuration: TrainingConfiguration) {
        precondition(!replicas.isEmpty, "a trainer needs a model")
        self.replicas = replicas
        (model, optimizer, backend) = (replicas[0].model, replicas[0].optimizer, replicas[0].backend)
        self.schedule = schedule
        self.configuration = configuration
    }

    /// Trains from `checkpoint` (or from the start) to the end of the configured epochs.
    /// `trainBatches(epoch, startingAt)` must yield that epoch's batches from `startingAt` on, in
    /// the same order every time it is asked, and `batchesPerEpoch` of them in a whole epoch: the
    /// global step, which drives the schedule, is `epoch · batchesPerEpoch + batch`. `shouldStop`
    /// is polled before every batch; `progress(epoch, batch, loss)` follows each step, and
    /// `epochDone` each epoch, with a checkpoint that resumes at the next one.
    public func run(
        from checkpoint: Checkpoint?,
        trainBatches: (Int, Int) -> AnySequence<Batch>,
        batchesPerEpoch: Int,
        validationBatches: () -> AnySequence<Batch>,
        shouldStop: () -> Bool,
        progress: (Int, Int, Float) -> Void,
        epochDone: (EpochMetrics, Checkpoint) -> Void
    ) throws -> Outcome {
        precondition(batchesPerEpoch > 0, "an epoch needs batches")
        var start = (epoch: 0, batch: 0)
        var totals = EpochTotals()
        if let checkpoint {
            for replica in replicas { try checkpoint.restore(into: replica.model, optimizer: replica.optimizer) }
            random = checkpoint.random
            start = (checkpoint.epoch, checkpoint.batch)
            totals = EpochTotals(metadata: checkpoint.metadata)
        }
        let parameters = model.parameters
        for epoch in start.epoch..<max(start.epoch, configuration.epochs) {
            let began = ContinuousClock.now
            let first = epoch == start.epoch ? start.batch : 0
            if epoch != start.epoch { totals = EpochTotals() }
            for replica in replicas { configuration.backbone?.apply(to: replica.model.parameters, epoch: epoch) }
            var batch = first
            var images = 0
            for (inputs, labels) in trainBatches(epoch, first) {
                if shouldStop() { return .stopped(try makeCheckpoint(epoch: epoch, batch: batch, totals: totals)) }
                let learningRate = schedule.learningRate(at: epoch * batchesPerEpoch + batch)
                for replica in replicas { replica.optimizer.learningRate = learningRate }
                let loss = try step(inputs, labels, parameters, totals: &totals)
                guard loss.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch) }
                images += labels.count
                progress(epoch, batch, loss)
                batch += 1
            }
            let trainSeconds = began.secondsElapsed
            let validation = try evaluate(validationBatches())
            let metrics = EpochMetrics(
                epoch: epoch, trainLoss: totals.meanLoss, trainAccuracy: totals.accuracy,
                validationLoss: validation.predictions.isEmpty ? nil : validation.loss,
                validationAccuracy: validation.predictions.isEmpty ? nil : validation.accuracy,
                learningRate: optimizer.learningRate,
                imagesPerSecond: trainSeconds > 0 ? Float(Double(images) / trainSeconds) : 0,
                seconds: Float(began.secondsElapsed))
            epochDone(metrics, try makeCheckpoint(epoch: epoch + 1, batch: 0, totals: EpochTotals()))
        }
        return .completed
    }

    /// Zero gradients, forward in training mode, loss, backward, optional clipping, optimizer step
    /// (the learning rate is already set). Returns the batch's loss; a non-finite one returns before
    /// backward, leaving the weights untouched for the caller to report. A device backend's failure
    /// surfaces here, where the loss is read.
    private func step(_ images: Tensor, _ labels: [Int], _ parameters: [Parameter],
                      totals: inout EpochTotals) throws -> Float {
        if replicas.count > 1 {
            let outcome = try DataParallel.step(replicas, images: images, labels: labels, configuration: configuration) { replica, slice in
                input(slice, on: replica.backend)
            }
            if outcome.loss.isFinite { totals.add(loss: outcome.loss, correct: outcome.correct, count: labels.count) }
            return outcome.loss
        }
        for parameter in parameters { backend.zero(&parameter.gradient) }
        let logits = model.forward(input(images), training: true)
        let result = backend.softmaxCrossEntropy(logits, labels: labels, labelSmoothing: configuration.labelSmoothing)
        try backend.synchronize()
        guard result.loss.isFinite else { return result.loss }
        model.accumulateGradients(result.gradient)
        if let maxNorm = configuration.gradientClipNorm { backend.clipGradientNorm(parameters, maxNorm: maxNorm) }
        optimizer.step(parameters)
        totals.add(loss: result.loss, correct: result.correct, count: labels.count)
        return result.loss
    }

    /// Evaluation mode (running batch-norm statistics, no dropout; the compiled path, `InferenceModel`),
    /// plain cross-entropy. The loss
    /// and accuracy are means over samples; each prediction is the arg-max class and its
    /// confidence that class's softmax probability. All zero and empty for no batches.
    public func evaluate(_ batches: AnySequence<Batch>) throws -> (loss: Float, accuracy: Float, predictions: [Int],
                                                                   confidences: [Float]) {
        var totals = EpochTotals()
        var predictions: [Int] = []
        var confidences: [Float] = []
        let compiled = try InferenceModel(model, backend: backend)
        for (images, labels) in batches {
            let logits = compiled.forward(input(images))
            let result = backend.softmaxCrossEntropy(logits, labels: labels, labelSmoothing: 0)
            let batch = backend.predictions(logits)
            try backend.synchronize()
            totals.add(loss: result.loss, correct: result.correct, count: labels.count)
            predictions += batch.map(\.label)
            confidences += batch.map(\.confidence)
        }
        return (totals.meanLoss, totals.accuracy, predictions, confidences)
    }

    /// A batch on a backend's device, normalized there when it holds raw pixels.
    private func input(_ images: Tensor, on backend: (any Backend)? = nil) -> Tensor {
        let backend = backend ?? self.backend
        return configuration.pixelNormalization.map { backend.uploadPixels(images, normalization: $0) } ?? backend.upload(images)
    }

    private func makeCheckpoint(epoch: Int, batch: Int, totals: EpochTotals) throws -> Checkpoint {
        try Checkpoint(model: model, optimizer: optimizer, epoch: epoch, batch: batch, random: random,
                       metadata: metadata.merging(totals.metadata) { $1 })
    }
}

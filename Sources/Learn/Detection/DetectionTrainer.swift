import Foundation

/// The training loop of a detector: `Trainer`'s contract (steps per batch on the schedule, an epoch's
/// metrics and a checkpoint that resumes bit-exactly after it, stops between batches) with FCOS's loss
/// in place of cross-entropy, and validation that reports the loss and the decoded detections. It
/// trains on one device: the loss runs on the host, which would serialize data-parallel replicas.
public final class DetectionTrainer {
    public typealias Batch = (images: Tensor, labels: [[LabeledBox]])

    public let model: FCOS
    public let optimizer: any Optimizer
    public let schedule: LearningRateSchedule
    public let configuration: TrainingConfiguration
    public let backend: any Backend
    public let loss: FCOSLoss
    public var decoder: FCOSDecoder
    /// A stream for the caller's own randomness (augmentations); saved in checkpoints and restored from them.
    public var random = Random(seed: 0)
    /// Copied into every checkpoint this trainer makes.
    public var metadata: [String: String] = [:]

    /// `model` and `optimizer` must be built for `backend`, and a device model placed on it.
    public init(model: FCOS, optimizer: any Optimizer, schedule: LearningRateSchedule, configuration: TrainingConfiguration,
                backend: any Backend = CPUBackend.shared) {
        (self.model, self.optimizer, self.schedule, self.configuration, self.backend) = (model, optimizer, schedule, configuration, backend)
        loss = FCOSLoss(classes: model.classes, stride: model.stride)
        decoder = FCOSDecoder(classes: model.classes, stride: model.stride)
    }

    /// Trains from `checkpoint` (or the start) to the configured epochs, as `Trainer.run` does. After each
    /// epoch `validate(self)` gives the validation figures (nil without validation images), which go into
    /// the epoch's metrics.
    public func run(
        from checkpoint: Checkpoint?,
        trainBatches: (Int, Int) -> AnySequence<Batch>,
        batchesPerEpoch: Int,
        validate: (DetectionTrainer) throws -> (loss: Float, map: Float)?,
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
            var images = 0
            for (inputs, boxes) in trainBatches(epoch, batch) {
                if shouldStop() { return .stopped(try makeCheckpoint(epoch: epoch, batch: batch, totals: totals)) }
                optimizer.learningRate = schedule.learningRate(at: epoch * batchesPerEpoch + batch)
                let value = try step(inputs, boxes, parameters)
                guard value.isFinite else { throw TrainingError.nonFiniteLoss(epoch: epoch, batch: batch) }
                totals.add(loss: value, correct: 0, count: boxes.count)
                images += boxes.count
                progress(epoch, batch, value)
                batch += 1
            }
            let trainSeconds = began.secondsElapsed
            let validation = try validate(self)
            let metrics = EpochMetrics(
                epoch: epoch, trainLoss: totals.meanLoss, trainAccuracy: nil, validationLoss: validation?.loss,
                validationAccuracy: nil, validationMAP: validation?.map, learningRate: optimizer.learningRate,
                imagesPerSecond: trainSeconds > 0 ? Float(Double(images) / trainSeconds) : 0, seconds: Float(began.secondsElapsed))
            epochDone(metrics, try makeCheckpoint(epoch: epoch + 1, batch: 0, totals: EpochTotals()))
        }
        return .completed
    }

    /// One optimizer step on a batch; returns its loss, and leaves the weights alone when that is not finite.
    private func step(_ images: Tensor, _ boxes: [[LabeledBox]], _ parameters: [Parameter]) throws -> Float {
        for parameter in parameters { backend.zero(&parameter.gradient) }
        let output = model.forward(input(images), training: true)
        let result = loss(try output.hostValues(), shape: output.shape, boxes: boxes)
        guard result.loss.isFinite else { return result.loss }
        model.accumulateGradients(output.replacingValues(result.gradient))
        if let maxNorm = configuration.gradientClipNorm { backend.clipGradientNorm(parameters, maxNorm: maxNorm) }
        optimizer.step(parameters)
        try backend.synchronize()
        return result.loss
    }

    /// Evaluation mode over `batches`: the mean loss per image and each image's detections, in input pixels.
    public func evaluate(_ batches: AnySequence<Batch>) throws -> (loss: Float, detections: [[Detection]]) {
        var totals = EpochTotals()
        var detections: [[Detection]] = []
        for (images, boxes) in batches {
            let output = model.forward(input(images), training: false)
            let values = try output.hostValues()
            totals.add(loss: loss(values, shape: output.shape, boxes: boxes).loss, correct: 0, count: boxes.count)
            detections += decoder.decode(values, shape: output.shape, imageWidth: images.shape[3], imageHeight: images.shape[2])
        }
        return (totals.meanLoss, detections)
    }

    /// Each image's detections, in input pixels (evaluation mode).
    public func detect(_ images: Tensor) throws -> [[Detection]] {
        let output = model.forward(input(images), training: false)
        return decoder.decode(try output.hostValues(), shape: output.shape, imageWidth: images.shape[3], imageHeight: images.shape[2])
    }

    private func input(_ images: Tensor) -> Tensor {
        configuration.pixelNormalization.map { backend.uploadPixels(images, normalization: $0) } ?? backend.upload(images)
    }

    private func makeCheckpoint(epoch: Int, batch: Int, totals: EpochTotals) throws -> Checkpoint {
        try Checkpoint(model: model, optimizer: optimizer, epoch: epoch, batch: batch, random: random,
                       metadata: metadata.merging(totals.metadata) { $1 })
    }
}

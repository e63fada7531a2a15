import Foundation
import CUDA
import Learn
import LearnGPU
import Storage
import Synchronization

/// What a run records as it trains, whatever its task: its classes and data at the start, progress
/// events, and after each epoch the metrics, the `best` checkpoint (by the task's validation figure) and
/// the `last`. A failure while recording, or a batch that could not be made, stops the trainer at its
/// next batch and fails the run with that error.
final class EpochRecorder: @unchecked Sendable {
    private let service: RunService
    private let runID: String
    // Touched only from the training thread (the trainer's callbacks run on it).
    private var run: Run
    private var best: Float?
    private var memory: [DeviceAllocator] = []
    private let failure = Mutex<(any Error)?>(nil)

    init(service: RunService, runID: String, run: Run) {
        (self.service, self.runID, self.run) = (service, runID, run)
        best = run.metrics.compactMap { $0.validationAccuracy ?? $0.validationMAP ?? $0.validationMeanIoU }.max()
    }

    var config: ExperimentConfig { run.config }
    var failed: Bool { failure.withLock { $0 != nil } }

    /// Records the classes and, on the first start, the data the run trains on.
    func start(classes: [String], data: RunData) throws {
        run.classes = classes
        try service.database.write { db in
            try RunStore.update(run, on: db)
            try RunStore.recordData(data, runID: runID, on: db)
        }
    }

    /// Follows the memory of the GPUs among `backends`, from now.
    func watch(_ backends: [any Backend]) {
        memory = backends.compactMap { ($0 as? GPUBackend)?.gpu.allocator }
        for allocator in memory { allocator.resetPeaks() }
    }

    /// A loader's batches as the trainers take them; a batch that failed ends the sequence and records why.
    func batches<Label>(_ loader: DataLoader<Label>, epoch: Int, start: Int) -> AnySequence<(images: Tensor, labels: [Label])> {
        let iterator = loader.epoch(epoch, startingAt: start)
        return AnySequence(AnyIterator { [self] in
            guard let next = iterator.next() else { return nil }
            switch next {
            case .success(let batch): return (batch.images, batch.labels)
            case .failure(let error):
                // The trainer cannot be thrown into; it stops at the next batch and the run fails with this.
                failure.withLock { $0 = $0 ?? error }
                return nil
            }
        })
    }

    func progress(epoch: Int, batch: Int, of batches: Int, loss: Float) {
        service.events.publish(run: runID, .progress(epoch: epoch, batch: batch + 1, batches: batches, loss: loss))
    }

    /// One epoch's end: `score` (validation accuracy, mAP or mean IoU) picks the `best` checkpoint.
    func record(_ epochMetrics: EpochMetrics, _ checkpoint: Checkpoint, score: Float?) {
        var metrics = epochMetrics
        // Per device, the most any of the run's holds: what a device needs free to train it.
        let statistics = memory.map(\.statistics)
        if !statistics.isEmpty {
            (metrics.deviceMemoryBytes, metrics.deviceMemoryPeakBytes) = (statistics.map(\.bytesHeld).max(),
                                                                          statistics.map(\.peakBytesHeld).max())
        }
        // The checkpoints are stored first, then named with the epoch's row in one write: a kill anywhere
        // leaves the last epoch recorded whole or not at all (unnamed blobs are collected).
        do {
            let last = try service.files.store(checkpoint)
            var newBest: BlobID?
            if let score, score > (best ?? -1) {
                best = score
                newBest = last
            }
            run.metrics.append(metrics)
            run.bestValidationAccuracy = run.metrics.compactMap(\.validationAccuracy).max()
            try service.database.write { db in try RunStore.recordCheckpoints(last: last, best: newBest, of: run, on: db) }
        } catch {
            failure.withLock { $0 = $0 ?? error }
        }
        service.events.publish(run: runID, .epoch(metrics))
    }

    /// How the job ends once the trainer returns: a recorded failure first, else completed, or stopped
    /// with its checkpoint saved (interrupted when the server is closing, as a restart would call it).
    func ending(_ outcome: Trainer.Outcome, context: JobRunner.Context) throws -> JobRunner.Ending {
        if let error = failure.withLock({ $0 }) { throw error }
        switch outcome {
        case .completed:
            return .completed
        case .stopped(let checkpoint):
            let last = try service.files.store(checkpoint)
            try service.database.write { db in try RunStore.recordCheckpoints(last: last, best: nil, of: run, on: db) }
            return context.isClosing ? .interrupted : .stopped
        }
    }
}

extension EpochRecorder {
    /// Trains a dense model to the end of its epochs (or a stop), recording every epoch; `score` is where the
    /// validation figure goes in the epoch's metrics, and it picks the `best` checkpoint.
    func train<Objective>(_ trainer: DenseTrainer<Objective>, from checkpoint: Checkpoint?, batches loader: DataLoader<Objective.Label>,
                          validate: (DenseTrainer<Objective>) throws -> (loss: Float, score: Float)?,
                          score: WritableKeyPath<EpochMetrics, Float?>, context: JobRunner.Context) throws -> JobRunner.Ending {
        let outcome = try trainer.run(
            from: checkpoint,
            trainBatches: { epoch, start in batches(loader, epoch: epoch, start: start) },
            batchesPerEpoch: loader.batchesPerEpoch,
            validate: validate,
            metrics: { $0[keyPath: score] = $1 },
            shouldStop: { context.shouldStop || failed },
            progress: { progress(epoch: $0, batch: $1, of: loader.batchesPerEpoch, loss: $2) },
            epochDone: { record($0, $1, score: $0[keyPath: score]) })
        return try ending(outcome, context: context)
    }
}

import Foundation
import CUDA
import Learn
import LearnGPU
import Storage
import Synchronization

/// One run on the worker pool: loads the data, builds the model and optimizer from the config,
/// trains with checkpoints after every epoch (`last`, and `best` by validation accuracy), and
/// records metrics and status as it goes.
struct RunExecution {
    let service: RunService
    let runID: String
    let resume: Bool
    let context: JobRunner.Context

    /// Trains to the end, a stop or a failure (thrown); the job runner records which.
    func perform() throws -> JobRunner.Ending {
        // A finished run gives back the convolution scratch its steps kept pooled for the next one.
        defer { Conv2D.releaseScratch() }
        let database = service.database
        guard var run = try database.read({ db in try RunStore.find(id: runID, on: db) }) else { throw RunError.notFound(runID) }
        let config = run.config
        try service.checkDevice(config)
        let data = try database.read { db in try TrainingData.load(projectID: run.projectID, config: config, on: db) }
        run.classes = data.classes
        try database.write { db in try RunStore.update(run, on: db) }

        let shape = [3, config.imageSize, config.imageSize]
        let blobs = service.blobs
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
        // A GPU takes raw pixels, a byte each, and normalizes them on the device (RunRecipe says so).
        let normalized = RunRecipe.normalizesOnHost(config)
        let trainLoader = DataLoader(count: data.train.count, batchSize: config.batchSize, shuffle: true, dropLast: false,
                                     seed: config.seed, workers: workers, prefetch: 2, shape: shape) { index, seed in
            let item = data.train[index]
            return (try TrainingData.example(item, blobs: blobs, config: config, training: true, seed: seed, normalized: normalized),
                    item.label)
        }
        let validationLoader = DataLoader(count: data.validation.count, batchSize: config.batchSize, shuffle: false, dropLast: false,
                                          seed: config.seed, workers: workers, prefetch: 2, shape: shape) { index, seed in
            let item = data.validation[index]
            return (try TrainingData.example(item, blobs: blobs, config: config, training: false, seed: seed, normalized: normalized),
                    item.label)
        }
        let checkpoint = resume ? try CheckpointFile.read(from: service.checkpointPath(runID, .last)) : nil
        if let checkpoint {
            // Epochs the checkpoint does not hold were recorded but not checkpointed when the last process
            // died: they are trained again, and recorded again.
            run.metrics = run.metrics.filter { $0.epoch < checkpoint.epoch }
            run.bestValidationAccuracy = run.metrics.compactMap(\.validationAccuracy).max()
        }
        return try service.devices.compute(on: config.device.devices ?? [.cpu], tf32: config.tf32) { backends in
            let recipe = RunRecipe(config: config, classes: data.classes.count, batchesPerEpoch: trainLoader.batchesPerEpoch)
            let memory = backends.compactMap { ($0 as? GPUBackend)?.gpu.allocator }
            for allocator in memory { allocator.resetPeaks() }
            return try train(recipe.trainer(on: backends), from: checkpoint, run: &run, trainLoader: trainLoader,
                             validationLoader: validationLoader, memory: memory)
        }
    }

    /// Trains to the end of the configured epochs (or a stop), checkpointing and recording every epoch.
    private func train(_ trainer: Trainer, from checkpoint: Checkpoint?, run: inout Run, trainLoader: DataLoader<Int>,
                       validationLoader: DataLoader<Int>, memory: [DeviceAllocator]) throws -> JobRunner.Ending {
        let database = service.database
        let failure = Mutex<(any Error)?>(nil)

        func batches(_ loader: DataLoader<Int>, epoch: Int, start: Int) -> AnySequence<Trainer.Batch> {
            let iterator = loader.epoch(epoch, startingAt: start)
            return AnySequence(AnyIterator {
                guard let next = iterator.next() else { return nil }
                switch next {
                case .success(let batch): return (batch.images, batch.labels)
                case .failure(let error):
                    // The trainer cannot be thrown into; it stops at the next batch and the run fails with this.
                    failure.withLock { $0 = error }
                    return nil
                }
            })
        }

        var best = run.bestValidationAccuracy
        let outcome = try trainer.run(
            from: checkpoint,
            trainBatches: { epoch, start in batches(trainLoader, epoch: epoch, start: start) },
            batchesPerEpoch: trainLoader.batchesPerEpoch,
            validationBatches: { batches(validationLoader, epoch: 0, start: 0) },
            shouldStop: { context.shouldStop || failure.withLock { $0 != nil } },
            progress: { epoch, batch, loss in
                service.events.publish(run: runID, .progress(epoch: epoch, batch: batch + 1, batches: trainLoader.batchesPerEpoch, loss: loss))
            },
            epochDone: { epochMetrics, checkpoint in
                var metrics = epochMetrics
                // Per device, the most any of the run's holds: what a device needs free to train it.
                let statistics = memory.map(\.statistics)
                if !statistics.isEmpty {
                    (metrics.deviceMemoryBytes, metrics.deviceMemoryPeakBytes) = (statistics.map(\.bytesHeld).max(),
                                                                                  statistics.map(\.peakBytesHeld).max())
                }
                // In an order a kill can interrupt anywhere: `best` first (a newer best than the database
                // says is rewritten alike when the epoch is trained again), the epoch's row next, `last`
                // last (a resume trains again the epochs recorded past it, and drops their rows).
                do {
                    if let accuracy = metrics.validationAccuracy, accuracy > (best ?? -1) {
                        best = accuracy
                        try CheckpointFile.write(checkpoint, to: service.checkpointPath(runID, .best))
                    }
                    run.metrics.append(metrics)
                    run.bestValidationAccuracy = best
                    try database.write { db in try RunStore.update(run, on: db) }
                    try CheckpointFile.write(checkpoint, to: service.checkpointPath(runID, .last))
                } catch {
                    failure.withLock { $0 = error }
                }
                service.events.publish(run: runID, .epoch(metrics))
            })
        if let error = failure.withLock({ $0 }) { throw error }
        switch outcome {
        case .completed:
            return .completed
        case .stopped(let checkpoint):
            try CheckpointFile.write(checkpoint, to: service.checkpointPath(runID, .last))
            // Stopped by the server's shutdown, not by its owner: what a restart would call it.
            return context.isClosing ? .interrupted : .stopped
        }
    }
}

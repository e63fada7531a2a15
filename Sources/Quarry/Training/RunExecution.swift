import Foundation
import CUDA
import Learn
import LearnGPU
import Storage
import Synchronization

/// One run on the worker pool: freezes the examples it trains on (a resume reads them back, whatever
/// labeling has done since), builds the model and optimizer from the config, trains with checkpoints
/// after every epoch (`last`, and `best` by the task's validation figure), and records metrics and status
/// as it goes. A run with a `last` checkpoint resumes from it.
struct RunExecution {
    let service: RunService
    let runID: String
    let context: JobRunner.Context

    /// Trains to the end, a stop or a failure (thrown); the job runner records which.
    func perform() throws -> JobRunner.Ending {
        // A finished run gives back the convolution scratch its steps kept pooled for the next one.
        defer { Conv2D.releaseScratch() }
        guard var run = try service.database.read({ db in try RunStore.find(id: runID, on: db) }) else { throw RunError.notFound(runID) }
        // Claimed for devices this process has: unless the driver lost one since.
        try service.devices.check(run.config.device)
        let checkpoint = try service.files.checkpoint(runID, .last)
        if let checkpoint {
            // Epochs the checkpoint does not hold were recorded but not checkpointed when the last process
            // died: they are trained again, and recorded again.
            run.metrics = run.metrics.filter { $0.epoch < checkpoint.epoch }
            run.bestValidationAccuracy = run.metrics.compactMap(\.validationAccuracy).max()
        }
        let recorder = EpochRecorder(service: service, runID: runID, run: run)
        // Read when the run starts, once: a resume's checkpoint holds every weight, and the file may be gone by then.
        let pretrained = checkpoint == nil ? try pretrainedWeights(run) : nil
        switch run.config.model.task {
        case .detection:
            let data = try frozen { db in try DetectionData.load(projectID: run.projectID, config: run.config, on: db) }
            try recorder.start(classes: data.classes, data: RunData(snapshot: data.snapshot, trainImages: data.train.count,
                                                                     validationImages: data.validation.count, shapes: data.report))
            return try DetectionRun(execution: self, data: data, recorder: recorder, pretrained: pretrained).train(from: checkpoint)
        case .segmentation:
            let data = try frozen { db in try SegmentationData.load(projectID: run.projectID, config: run.config, on: db) }
            try recorder.start(classes: data.classes, data: RunData(snapshot: data.snapshot, trainImages: data.train.count,
                                                                     validationImages: data.validation.count, shapes: data.report))
            return try SegmentationRun(execution: self, data: data, recorder: recorder, pretrained: pretrained).train(from: checkpoint)
        case .classification:
            let data = try frozen { db in try TrainingData.load(projectID: run.projectID, config: run.config, on: db) }
            try recorder.start(classes: data.classes, data: RunData(snapshot: data.snapshot, trainImages: data.train.count,
                                                                     validationImages: data.validation.count, shapes: nil))
            return try classify(data, from: checkpoint, recorder: recorder, pretrained: pretrained)
        }
    }

    /// The tensors of the weights the run's configuration names, as its project's account sees them.
    private func pretrainedWeights(_ run: Run) throws -> NamedTensors? {
        guard let name = run.config.pretrained else { return nil }
        guard let project = try service.database.read({ db in try ProjectStore.find(id: run.projectID, on: db) }) else {
            throw RunError.notFound(run.projectID)
        }
        return try service.weights.tensors(accountID: project.accountID, name: name)
    }

    /// The examples as the run first loaded them: read back once frozen, else loaded and frozen.
    private func frozen<Data: Codable>(_ load: (any Connection) throws -> Data) throws -> Data {
        if let bytes = try service.files.frozenData(runID) {
            return try JSONDecoder().decode(Data.self, from: Foundation.Data(bytes))
        }
        let data = try service.database.read(load)
        try service.files.freeze(Array(try JSONEncoder().encode(data)), runID: runID)
        return data
    }

    private func classify(_ data: TrainingData, from checkpoint: Checkpoint?, recorder: EpochRecorder, pretrained: NamedTensors?) throws
        -> JobRunner.Ending {
        let config = recorder.config
        let shape = [3, config.imageSize, config.imageSize]
        let blobs = service.blobs
        // A GPU takes raw pixels, a byte each, and normalizes them on the device (RunRecipe says so).
        let normalized = RunRecipe.normalizesOnHost(config)
        func loader(_ items: [TrainingData.Item], training: Bool) -> DataLoader<Int> {
            DataLoader(count: items.count, batchSize: config.batchSize, shuffle: training, dropLast: false, seed: config.seed,
                       workers: Self.workers, prefetch: 2, shape: shape) { index, seed in
                (try TrainingData.example(items[index], blobs: blobs, config: config, training: training, seed: seed,
                                          normalized: normalized), items[index].label)
            }
        }
        let (trainLoader, validationLoader) = (loader(data.train, training: true), loader(data.validation, training: false))
        return try service.devices.compute(on: config.device.devices ?? [.cpu], tf32: config.tf32) { backends in
            let recipe = RunRecipe(config: config, classes: data.classes.count, batchesPerEpoch: trainLoader.batchesPerEpoch,
                                   pretrained: pretrained)
            recorder.watch(backends)
            let trainer = try recipe.trainer(on: backends)
            let outcome = try trainer.run(
                from: checkpoint,
                trainBatches: { epoch, start in recorder.batches(trainLoader, epoch: epoch, start: start) },
                batchesPerEpoch: trainLoader.batchesPerEpoch,
                validationBatches: { recorder.batches(validationLoader, epoch: 0, start: 0) },
                shouldStop: { context.shouldStop || recorder.failed },
                progress: { recorder.progress(epoch: $0, batch: $1, of: trainLoader.batchesPerEpoch, loss: $2) },
                epochDone: { recorder.record($0, $1, score: $0.validationAccuracy) })
            return try recorder.ending(outcome, context: context)
        }
    }

    /// Worker threads making examples: every core but the one training.
    static var workers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount - 1) }
}

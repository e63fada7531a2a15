import Learn

/// A segmenter's training within a run: its loaders carry each image's classes at the model's output,
/// moved by the augmentations with the pixels; after every epoch the validation images are segmented at
/// the model's input size and scored by mean IoU (the background a class), which picks the `best`
/// checkpoint.
struct SegmentationRun {
    let execution: RunExecution
    let data: SegmentationData
    let recorder: EpochRecorder
    let pretrained: NamedTensors?

    func train(from checkpoint: Checkpoint?) throws -> JobRunner.Ending {
        let config = recorder.config
        let (blobs, service, context) = (execution.service.blobs, execution.service, execution.context)
        let normalized = RunRecipe.normalizesOnHost(config)
        return try service.devices.compute(on: [config.device.primary], tf32: config.tf32) { backends in
            let batches = (data.train.count + config.batchSize - 1) / config.batchSize
            let trainer = try RunRecipe(config: config, classes: data.classes.count, batchesPerEpoch: batches, pretrained: pretrained)
                .segmentationTrainer(on: backends[0])
            guard let stride = (trainer.model as? Segmenter)?.stride else { preconditionFailure("a segmentation run builds a segmenter") }
            func loader(_ items: [SegmentationData.Item], training: Bool) -> DataLoader<[UInt8]> {
                DataLoader(count: items.count, batchSize: config.batchSize, shuffle: training, dropLast: false, seed: config.seed,
                           workers: RunExecution.workers, prefetch: 2, shape: [3, config.imageSize, config.imageSize]) { index, seed in
                    try SegmentationData.example(items[index], blobs: blobs, config: config, stride: stride, training: training, seed: seed,
                                                 normalized: normalized)
                }
            }
            let (trainLoader, validationLoader) = (loader(data.train, training: true), loader(data.validation, training: false))
            recorder.watch(backends)
            return try recorder.train(trainer, from: checkpoint, batches: trainLoader, validate: { try validate($0, validationLoader) },
                                      score: \.validationMeanIoU, context: context)
        }
    }

    /// The validation loss and mean IoU at the model's input size.
    private func validate(_ trainer: SegmentationTrainer, _ loader: DataLoader<[UInt8]>) throws -> (loss: Float, score: Float)? {
        guard !data.validation.isEmpty else { return nil }
        let (loss, masks) = try trainer.evaluateMasks(recorder.batches(loader, epoch: 0, start: 0))
        guard masks.count == data.validation.count else { return nil }
        let side = recorder.config.imageSize
        let truths = data.validation.map { SegmentationData.truth($0, width: side, height: side).map(Int.init) }
        let report = SegmentationReport(classes: ["background"] + data.classes, truths: truths, predictions: masks.map { $0.map(Int.init) })
        return (loss, Float(report.meanIoU))
    }
}

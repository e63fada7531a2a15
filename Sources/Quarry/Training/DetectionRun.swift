import Learn

/// A detector's training within a run: its loaders carry each image's boxes, moved by the augmentations
/// with the pixels; after every epoch the validation images are detected and scored as COCO does, and
/// the mAP picks the `best` checkpoint.
struct DetectionRun {
    let execution: RunExecution
    let data: DetectionData
    let recorder: EpochRecorder
    let pretrained: NamedTensors?

    func train(from checkpoint: Checkpoint?) throws -> JobRunner.Ending {
        let config = recorder.config
        let (blobs, service, context) = (execution.service.blobs, execution.service, execution.context)
        let normalized = RunRecipe.normalizesOnHost(config)
        func loader(_ items: [DetectionData.Item], training: Bool) -> DataLoader<[LabeledBox]> {
            DataLoader(count: items.count, batchSize: config.batchSize, shuffle: training, dropLast: false, seed: config.seed,
                       workers: RunExecution.workers, prefetch: 2, shape: [3, config.imageSize, config.imageSize]) { index, seed in
                try DetectionData.example(items[index], blobs: blobs, config: config, training: training, seed: seed, normalized: normalized)
            }
        }
        let (trainLoader, validationLoader) = (loader(data.train, training: true), loader(data.validation, training: false))
        return try service.devices.compute(on: [config.device.primary], tf32: config.tf32) { backends in
            let recipe = RunRecipe(config: config, classes: data.classes.count, batchesPerEpoch: trainLoader.batchesPerEpoch,
                                   pretrained: pretrained)
            recorder.watch(backends)
            let trainer = try recipe.detectionTrainer(on: backends[0])
            return try recorder.train(trainer, from: checkpoint, batches: trainLoader, validate: { try validate($0, validationLoader) },
                                      score: \.validationMAP, context: context)
        }
    }

    /// The validation loss and COCO mAP, in the model's input pixels (IoU is the same at any scale).
    private func validate(_ trainer: DetectionTrainer, _ loader: DataLoader<[LabeledBox]>) throws -> (loss: Float, score: Float)? {
        guard !data.validation.isEmpty else { return nil }
        var truths: [[LabeledBox]] = []
        let batches = recorder.batches(loader, epoch: 0, start: 0).lazy.map { batch in
            truths += batch.labels
            return batch
        }
        let (loss, detections) = try trainer.evaluateDetections(AnySequence(batches))
        guard detections.count == data.validation.count else { return nil }
        let report = DetectionReport(classes: data.classes, images: Array(truths.indices),
                                     truths: DetectionReport.boxes(truths), predictions: DetectionReport.boxes(detections))
        return (loss, Float(report.map))
    }
}

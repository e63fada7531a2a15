/// A segmenter's trainer: every location's cross-entropy, and its logits decoded into class masks.
public typealias SegmentationTrainer = DenseTrainer<PixelCrossEntropy>

extension DenseTrainer where Objective == PixelCrossEntropy {
    public convenience init(model: Segmenter, optimizer: any Optimizer, schedule: LearningRateSchedule,
                            configuration: TrainingConfiguration, backend: any Backend = CPUBackend.shared) {
        self.init(model: model, objective: PixelCrossEntropy(), optimizer: optimizer, schedule: schedule,
                  configuration: configuration, backend: backend)
    }

    /// The mean loss per image over `batches` and each image's class mask at the input's size.
    public func evaluateMasks(_ batches: AnySequence<Batch>) throws -> (loss: Float, masks: [[UInt8]]) {
        var masks: [[UInt8]] = []
        let loss = try evaluate(batches) { values, shape, images in
            masks += SegmentationDecoder().masks(values, shape: shape, width: images.shape[3], height: images.shape[2])
        }
        return (loss, masks)
    }
}

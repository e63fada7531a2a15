/// A detector's trainer: FCOS's loss, and its outputs decoded into boxes.
public typealias DetectionTrainer = DenseTrainer<FCOSLoss>

extension DenseTrainer where Objective == FCOSLoss {
    public convenience init(model: FCOS, optimizer: any Optimizer, schedule: LearningRateSchedule, configuration: TrainingConfiguration,
                            backend: any Backend = CPUBackend.shared) {
        self.init(model: model, objective: FCOSLoss(classes: model.classes, stride: model.stride), optimizer: optimizer,
                  schedule: schedule, configuration: configuration, backend: backend)
    }

    /// The decoder of this detector's outputs, with torchvision's settings.
    public var decoder: FCOSDecoder { FCOSDecoder(classes: objective.classes, stride: objective.stride) }

    /// Each image's detections, in input pixels (evaluation mode).
    public func detect(_ images: Tensor, decoder: FCOSDecoder? = nil) throws -> [[Detection]] {
        let (values, shape) = try infer(images)
        return (decoder ?? self.decoder).decode(values, shape: shape, imageWidth: images.shape[3], imageHeight: images.shape[2])
    }

    /// The mean loss per image over `batches` and each image's detections, in input pixels.
    public func evaluateDetections(_ batches: AnySequence<Batch>) throws -> (loss: Float, detections: [[Detection]]) {
        var detections: [[Detection]] = []
        let loss = try evaluate(batches) { values, shape, images in
            detections += decoder.decode(values, shape: shape, imageWidth: images.shape[3], imageHeight: images.shape[2])
        }
        return (loss, detections)
    }
}

import Foundation

extension ExperimentConfig {
    /// The ranges of docs/training.md, checked on the configuration as a whole (warm-up against the
    /// epochs, GPUs against the batch). A refusal names the setting as the documentation does.
    public func validate() throws(ExperimentError) {
        func check(_ ok: Bool, _ field: String, _ reason: String) throws(ExperimentError) {
            if !ok { throw .invalid(field: field, reason: reason) }
        }
        try check(!name.trimmingCharacters(in: .whitespaces).isEmpty && name.count <= 200, "name", "must be 1 to 200 characters")
        try check(splitIndex >= 0, "split_index", "must not be negative")
        try check(width > 0 && width <= 4, "width", "must be above 0 and at most 4")
        try check((8...512).contains(imageSize), "image_size", "must be from 8 to 512")
        try check((1...1000).contains(epochs), "epochs", "must be from 1 to 1000")
        try check((1...1024).contains(batchSize), "batch_size", "must be from 1 to 1024")
        try check(optimizer.learningRate > 0 && optimizer.learningRate <= 10, "optimizer.lr", "must be above 0 and at most 10")
        try check(weightDecay >= 0 && weightDecay <= 1, "optimizer.weight_decay", "must be from 0 to 1")
        try check(optimizer.momentum >= 0 && optimizer.momentum < 1, "optimizer.momentum", "must be from 0 up to 1")
        try check(!optimizer.nesterov || optimizer.momentum > 0, "optimizer.nesterov", "needs a momentum above 0")
        try check(scheduler.warmupEpochs >= 0 && scheduler.warmupEpochs < epochs, "scheduler.warmup_epochs",
                  "must be at least 0 and fewer than the epochs")
        try check(scheduler.stepSize >= 1, "scheduler.step_size", "must be at least 1")
        try check(scheduler.gamma > 0 && scheduler.gamma <= 1, "scheduler.gamma", "must be above 0 and at most 1")
        try check(labelSmoothing >= 0 && labelSmoothing < 1, "label_smoothing", "must be from 0 up to 1")
        try check(gradientClip.map { $0 > 0 } ?? true, "gradient_clip", "must be above 0")
        if let problem = device.problem(batchSize: batchSize) { throw .invalid(field: "device", reason: problem) }
        try check(freezeBackboneEpochs >= 0 && freezeBackboneEpochs <= epochs, "freeze_backbone_epochs", "must be from 0 to the epochs")
        try check(backboneLearningRateScale > 0 && backboneLearningRateScale <= 10, "backbone_lr_scale", "must be above 0 and at most 10")
        guard let pretrained else {
            try check(freezeBackboneEpochs == 0, "freeze_backbone_epochs", "needs pretrained weights to freeze")
            try check(backboneLearningRateScale == 1, "backbone_lr_scale", "needs pretrained weights to scale")
            return
        }
        try check(!pretrained.isEmpty, "pretrained", "must name weights from /api/models/weights, or be null")
        guard let backbone = model.backbone else { throw .invalid(field: "pretrained", reason: "\(model.rawValue) has no pretrained backbone") }
        try check(width == 1, "width", "must be 1 with pretrained weights, whose tensors have the published widths")
        // ResNet's published stem is ImageNet's 7×7/2; CIFAR's 3×3 has other weights. MobileNetV2's stems share them.
        let imagenet = (stem.explicit ?? .automatic(inputSize: imageSize)) == .imagenet
        try check(backbone != .resnet18 || imagenet, "stem", "must be imagenet with pretrained ResNet-18 weights (image_size 128 and up, or stem imagenet)")
    }

    /// What a project of `task` adds: its model must be one of the task's, and a detector or segmenter
    /// takes sides its pyramid halves evenly, on one device (its loss is computed on the host between steps).
    public func validate(for task: ProjectTask) throws(ExperimentError) {
        let allowed = Model.trained(for: task).map(\.rawValue)
        guard model.task == task else {
            throw .invalid(field: "model", reason: "must be \(allowed.dropLast().joined(separator: ", ")) or \(allowed.last ?? "") for a \(task.rawValue) project")
        }
        if task != .classification {
            let model = task == .detection ? "detector" : "segmenter"
            if imageSize % 32 != 0 || imageSize < 64 {
                throw .invalid(field: "image_size", reason: "must be a multiple of 32 from 64 up for a \(model)")
            }
            if (device.devices?.count ?? 1) > 1 { throw .invalid(field: "device", reason: "a \(model) trains on one device") }
        }
    }
}

import Foundation

/// A configuration's one written form, the settings of docs/training.md under their documented names:
/// what the Studio API shows and what `experiments.config` and `runs.config` hold (keys sorted). A form
/// written before a setting existed reads back with that setting's default, so stored rows never need
/// migrating when a setting is added. Request bodies are read by the API (`ExperimentConfigChanges`),
/// which refuses what this tolerates.
extension ExperimentConfig: Codable {
    package static func stored(_ text: String) throws -> ExperimentConfig {
        try JSONDecoder().decode(ExperimentConfig.self, from: Data(text.utf8))
    }

    package var storedText: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }

    private enum Key: String, CodingKey {
        case name, split_index, train_subset, val_subset, model, width, stem, image_size, epochs, batch_size, optimizer, scheduler,
             augmentations, label_smoothing, gradient_clip, device, tf32, seed, pretrained, freeze_backbone_epochs, backbone_lr_scale
    }

    private enum OptimizerKey: String, CodingKey { case name, lr, weight_decay, momentum, nesterov }
    private enum SchedulerKey: String, CodingKey { case name, warmup_epochs, step_size, gamma }
    private enum AugmentationKey: String, CodingKey { case hflip, random_resized_crop }

    public init(from decoder: any Decoder) throws {
        let form = try decoder.container(keyedBy: Key.self)
        var config = ExperimentConfig(name: try form.decode(String.self, forKey: .name))
        config.splitIndex = try form.value(.split_index, or: config.splitIndex)
        config.trainSubset = try form.choice(.train_subset, or: config.trainSubset)
        config.validationSubset = try form.choice(.val_subset, or: config.validationSubset)
        config.model = try form.choice(.model, or: config.model)
        config.width = try form.value(.width, or: config.width)
        config.stem = try form.choice(.stem, or: config.stem)
        config.imageSize = try form.value(.image_size, or: config.imageSize)
        config.epochs = try form.value(.epochs, or: config.epochs)
        config.batchSize = try form.value(.batch_size, or: config.batchSize)
        if form.contains(.optimizer) {
            let optimizer = try form.nestedContainer(keyedBy: OptimizerKey.self, forKey: .optimizer)
            config.optimizer.kind = try optimizer.choice(.name, or: config.optimizer.kind)
            config.optimizer.learningRate = try optimizer.value(.lr, or: config.optimizer.learningRate)
            config.optimizer.weightDecay = try optimizer.decodeIfPresent(Double.self, forKey: .weight_decay)
            config.optimizer.momentum = try optimizer.value(.momentum, or: config.optimizer.momentum)
            config.optimizer.nesterov = try optimizer.value(.nesterov, or: config.optimizer.nesterov)
        }
        if form.contains(.scheduler) {
            let scheduler = try form.nestedContainer(keyedBy: SchedulerKey.self, forKey: .scheduler)
            config.scheduler.kind = try scheduler.choice(.name, or: config.scheduler.kind)
            config.scheduler.warmupEpochs = try scheduler.value(.warmup_epochs, or: config.scheduler.warmupEpochs)
            config.scheduler.stepSize = try scheduler.value(.step_size, or: config.scheduler.stepSize)
            config.scheduler.gamma = try scheduler.value(.gamma, or: config.scheduler.gamma)
        }
        if form.contains(.augmentations) {
            let augmentations = try form.nestedContainer(keyedBy: AugmentationKey.self, forKey: .augmentations)
            config.augmentations.horizontalFlip = try augmentations.value(.hflip, or: config.augmentations.horizontalFlip)
            config.augmentations.randomResizedCrop = try augmentations.value(.random_resized_crop,
                                                                             or: config.augmentations.randomResizedCrop)
        }
        config.labelSmoothing = try form.value(.label_smoothing, or: config.labelSmoothing)
        config.gradientClip = try form.decodeIfPresent(Double.self, forKey: .gradient_clip)
        config.device = try form.value(.device, or: config.device)
        config.tf32 = try form.value(.tf32, or: config.tf32)
        config.seed = try form.value(.seed, or: config.seed)
        config.pretrained = try form.decodeIfPresent(String.self, forKey: .pretrained)
        config.freezeBackboneEpochs = try form.value(.freeze_backbone_epochs, or: config.freezeBackboneEpochs)
        config.backboneLearningRateScale = try form.value(.backbone_lr_scale, or: config.backboneLearningRateScale)
        self = config
    }

    public func encode(to encoder: any Encoder) throws {
        var form = encoder.container(keyedBy: Key.self)
        try form.encode(name, forKey: .name)
        try form.encode(splitIndex, forKey: .split_index)
        try form.encode(trainSubset.rawValue, forKey: .train_subset)
        try form.encode(validationSubset.rawValue, forKey: .val_subset)
        try form.encode(model.rawValue, forKey: .model)
        try form.encode(width, forKey: .width)
        try form.encode(stem.rawValue, forKey: .stem)
        try form.encode(imageSize, forKey: .image_size)
        try form.encode(epochs, forKey: .epochs)
        try form.encode(batchSize, forKey: .batch_size)
        var optimizer = form.nestedContainer(keyedBy: OptimizerKey.self, forKey: .optimizer)
        try optimizer.encode(self.optimizer.kind.rawValue, forKey: .name)
        try optimizer.encode(self.optimizer.learningRate, forKey: .lr)
        try optimizer.encodeIfPresent(self.optimizer.weightDecay, forKey: .weight_decay)
        try optimizer.encode(self.optimizer.momentum, forKey: .momentum)
        try optimizer.encode(self.optimizer.nesterov, forKey: .nesterov)
        var scheduler = form.nestedContainer(keyedBy: SchedulerKey.self, forKey: .scheduler)
        try scheduler.encode(self.scheduler.kind.rawValue, forKey: .name)
        try scheduler.encode(self.scheduler.warmupEpochs, forKey: .warmup_epochs)
        try scheduler.encode(self.scheduler.stepSize, forKey: .step_size)
        try scheduler.encode(self.scheduler.gamma, forKey: .gamma)
        var augmentations = form.nestedContainer(keyedBy: AugmentationKey.self, forKey: .augmentations)
        try augmentations.encode(self.augmentations.horizontalFlip, forKey: .hflip)
        try augmentations.encode(self.augmentations.randomResizedCrop, forKey: .random_resized_crop)
        try form.encode(labelSmoothing, forKey: .label_smoothing)
        try form.encodeIfPresent(gradientClip, forKey: .gradient_clip)
        try form.encode(device, forKey: .device)
        try form.encode(tf32, forKey: .tf32)
        try form.encode(seed, forKey: .seed)
        try form.encode(pretrained, forKey: .pretrained)
        try form.encode(freezeBackboneEpochs, forKey: .freeze_backbone_epochs)
        try form.encode(backboneLearningRateScale, forKey: .backbone_lr_scale)
    }
}

private extension KeyedDecodingContainer {
    func value<Value: Decodable>(_ key: Key, or fallback: Value) throws -> Value {
        try decodeIfPresent(Value.self, forKey: key) ?? fallback
    }

    func choice<Choice: RawRepresentable>(_ key: Key, or fallback: Choice) throws -> Choice where Choice.RawValue == String {
        guard let raw = try decodeIfPresent(String.self, forKey: key) else { return fallback }
        guard let choice = Choice(rawValue: raw) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(raw)' is not a known choice")
        }
        return choice
    }
}

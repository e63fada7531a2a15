import Foundation

/// How `experiments.config` and `runs.config` hold a configuration: a JSON object under the names
/// docs/training.md uses, sorted. A row saved before a setting existed reads back with that setting's
/// default, so stored configurations never need migrating when a setting is added.
extension ExperimentConfig {
    package static func stored(_ text: String) throws -> ExperimentConfig {
        try JSONDecoder().decode(Stored.self, from: Data(text.utf8)).config
    }

    package var storedText: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(Stored(config: self)), as: UTF8.self)
        }
    }

    private struct Stored: Codable {
        var config: ExperimentConfig

        init(config: ExperimentConfig) {
            self.config = config
        }

        private enum Key: String, CodingKey {
            case name, split_index, train_subset, val_subset, model, width, stem, image_size, epochs, batch_size, optimizer, scheduler,
                 augmentations, label_smoothing, gradient_clip, device, tf32, seed
        }

        private enum OptimizerKey: String, CodingKey { case name, lr, weight_decay, momentum, nesterov }
        private enum SchedulerKey: String, CodingKey { case name, warmup_epochs, step_size, gamma }
        private enum AugmentationKey: String, CodingKey { case hflip, random_resized_crop }

        init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: Key.self)
            var config = ExperimentConfig(name: try row.decode(String.self, forKey: .name))
            config.splitIndex = try row.value(.split_index, or: config.splitIndex)
            config.trainSubset = try row.choice(.train_subset, or: config.trainSubset)
            config.validationSubset = try row.choice(.val_subset, or: config.validationSubset)
            config.model = try row.choice(.model, or: config.model)
            config.width = try row.value(.width, or: config.width)
            config.stem = try row.choice(.stem, or: config.stem)
            config.imageSize = try row.value(.image_size, or: config.imageSize)
            config.epochs = try row.value(.epochs, or: config.epochs)
            config.batchSize = try row.value(.batch_size, or: config.batchSize)
            if row.contains(.optimizer) {
                let optimizer = try row.nestedContainer(keyedBy: OptimizerKey.self, forKey: .optimizer)
                config.optimizer.kind = try optimizer.choice(.name, or: config.optimizer.kind)
                config.optimizer.learningRate = try optimizer.value(.lr, or: config.optimizer.learningRate)
                config.optimizer.weightDecay = try optimizer.decodeIfPresent(Double.self, forKey: .weight_decay)
                config.optimizer.momentum = try optimizer.value(.momentum, or: config.optimizer.momentum)
                config.optimizer.nesterov = try optimizer.value(.nesterov, or: config.optimizer.nesterov)
            }
            if row.contains(.scheduler) {
                let scheduler = try row.nestedContainer(keyedBy: SchedulerKey.self, forKey: .scheduler)
                config.scheduler.kind = try scheduler.choice(.name, or: config.scheduler.kind)
                config.scheduler.warmupEpochs = try scheduler.value(.warmup_epochs, or: config.scheduler.warmupEpochs)
                config.scheduler.stepSize = try scheduler.value(.step_size, or: config.scheduler.stepSize)
                config.scheduler.gamma = try scheduler.value(.gamma, or: config.scheduler.gamma)
            }
            if row.contains(.augmentations) {
                let augmentations = try row.nestedContainer(keyedBy: AugmentationKey.self, forKey: .augmentations)
                config.augmentations.horizontalFlip = try augmentations.value(.hflip, or: config.augmentations.horizontalFlip)
                config.augmentations.randomResizedCrop = try augmentations.value(.random_resized_crop,
                                                                                 or: config.augmentations.randomResizedCrop)
            }
            config.labelSmoothing = try row.value(.label_smoothing, or: config.labelSmoothing)
            config.gradientClip = try row.decodeIfPresent(Double.self, forKey: .gradient_clip)
            config.device = try row.value(.device, or: config.device)
            config.tf32 = try row.value(.tf32, or: config.tf32)
            config.seed = try row.value(.seed, or: config.seed)
            self.config = config
        }

        func encode(to encoder: any Encoder) throws {
            var row = encoder.container(keyedBy: Key.self)
            try row.encode(config.name, forKey: .name)
            try row.encode(config.splitIndex, forKey: .split_index)
            try row.encode(config.trainSubset.rawValue, forKey: .train_subset)
            try row.encode(config.validationSubset.rawValue, forKey: .val_subset)
            try row.encode(config.model.rawValue, forKey: .model)
            try row.encode(config.width, forKey: .width)
            try row.encode(config.stem.rawValue, forKey: .stem)
            try row.encode(config.imageSize, forKey: .image_size)
            try row.encode(config.epochs, forKey: .epochs)
            try row.encode(config.batchSize, forKey: .batch_size)
            var optimizer = row.nestedContainer(keyedBy: OptimizerKey.self, forKey: .optimizer)
            try optimizer.encode(config.optimizer.kind.rawValue, forKey: .name)
            try optimizer.encode(config.optimizer.learningRate, forKey: .lr)
            try optimizer.encodeIfPresent(config.optimizer.weightDecay, forKey: .weight_decay)
            try optimizer.encode(config.optimizer.momentum, forKey: .momentum)
            try optimizer.encode(config.optimizer.nesterov, forKey: .nesterov)
            var scheduler = row.nestedContainer(keyedBy: SchedulerKey.self, forKey: .scheduler)
            try scheduler.encode(config.scheduler.kind.rawValue, forKey: .name)
            try scheduler.encode(config.scheduler.warmupEpochs, forKey: .warmup_epochs)
            try scheduler.encode(config.scheduler.stepSize, forKey: .step_size)
            try scheduler.encode(config.scheduler.gamma, forKey: .gamma)
            var augmentations = row.nestedContainer(keyedBy: AugmentationKey.self, forKey: .augmentations)
            try augmentations.encode(config.augmentations.horizontalFlip, forKey: .hflip)
            try augmentations.encode(config.augmentations.randomResizedCrop, forKey: .random_resized_crop)
            try row.encode(config.labelSmoothing, forKey: .label_smoothing)
            try row.encodeIfPresent(config.gradientClip, forKey: .gradient_clip)
            try row.encode(config.device, forKey: .device)
            try row.encode(config.tf32, forKey: .tf32)
            try row.encode(config.seed, forKey: .seed)
        }
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

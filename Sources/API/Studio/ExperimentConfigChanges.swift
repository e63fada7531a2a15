import Quarry

/// A configuration's settings as a request body names them: every one optional, so that a POST
/// starts from the defaults and a PATCH from the saved configuration, and changes only what it names.
package struct ExperimentConfigChanges: Decodable {
    struct Optimizer: Decodable {
        let name: String?
        let lr: Double?
        /// nil: left as it is; `.some(nil)`: `null`, back to the optimizer's default.
        let weight_decay: Double??
        let momentum: Double?
        let nesterov: Bool?

        private enum Key: String, CodingKey { case name, lr, weight_decay, momentum, nesterov }

        init(from decoder: any Decoder) throws {
            let body = try decoder.container(keyedBy: Key.self)
            (name, lr) = (try body.decodeIfPresent(String.self, forKey: .name), try body.decodeIfPresent(Double.self, forKey: .lr))
            weight_decay = try body.nullable(Double.self, forKey: .weight_decay)
            momentum = try body.decodeIfPresent(Double.self, forKey: .momentum)
            nesterov = try body.decodeIfPresent(Bool.self, forKey: .nesterov)
        }
    }

    struct Scheduler: Decodable {
        let name: String?
        let warmup_epochs: Int?
        let step_size: Int?
        let gamma: Double?
    }

    struct Augmentations: Decodable {
        let hflip: Bool?
        let random_resized_crop: Bool?
    }

    let name: String?
    let split_index: Int?
    let train_subset: String?
    let val_subset: String?
    let model: String?
    let width: Double?
    let stem: String?
    let image_size: Int?
    let epochs: Int?
    let batch_size: Int?
    let optimizer: Optimizer?
    let scheduler: Scheduler?
    let augmentations: Augmentations?
    let label_smoothing: Double?
    /// nil: left as it is; `.some(nil)`: `null`, no clipping.
    let gradient_clip: Double??
    let device: DeviceSelection?
    let tf32: Bool?
    let seed: UInt64?
    /// nil: left as it is; `.some(nil)`: `null`, from random weights.
    let pretrained: String??
    let freeze_backbone_epochs: Int?
    let backbone_lr_scale: Double?

    private enum Key: String, CodingKey {
        case name, split_index, train_subset, val_subset, model, width, stem, image_size, epochs, batch_size, optimizer, scheduler,
             augmentations, label_smoothing, gradient_clip, device, tf32, seed, pretrained, freeze_backbone_epochs, backbone_lr_scale
    }

    package init(from decoder: any Decoder) throws {
        let body = try decoder.container(keyedBy: Key.self)
        name = try body.decodeIfPresent(String.self, forKey: .name)
        split_index = try body.decodeIfPresent(Int.self, forKey: .split_index)
        train_subset = try body.decodeIfPresent(String.self, forKey: .train_subset)
        val_subset = try body.decodeIfPresent(String.self, forKey: .val_subset)
        model = try body.decodeIfPresent(String.self, forKey: .model)
        width = try body.decodeIfPresent(Double.self, forKey: .width)
        stem = try body.decodeIfPresent(String.self, forKey: .stem)
        image_size = try body.decodeIfPresent(Int.self, forKey: .image_size)
        epochs = try body.decodeIfPresent(Int.self, forKey: .epochs)
        batch_size = try body.decodeIfPresent(Int.self, forKey: .batch_size)
        optimizer = try body.decodeIfPresent(Optimizer.self, forKey: .optimizer)
        scheduler = try body.decodeIfPresent(Scheduler.self, forKey: .scheduler)
        augmentations = try body.decodeIfPresent(Augmentations.self, forKey: .augmentations)
        label_smoothing = try body.decodeIfPresent(Double.self, forKey: .label_smoothing)
        gradient_clip = try body.nullable(Double.self, forKey: .gradient_clip)
        device = try body.decodeIfPresent(DeviceSelection.self, forKey: .device)
        tf32 = try body.decodeIfPresent(Bool.self, forKey: .tf32)
        seed = try body.decodeIfPresent(UInt64.self, forKey: .seed)
        pretrained = try body.nullable(String.self, forKey: .pretrained)
        freeze_backbone_epochs = try body.decodeIfPresent(Int.self, forKey: .freeze_backbone_epochs)
        backbone_lr_scale = try body.decodeIfPresent(Double.self, forKey: .backbone_lr_scale)
    }

    package static let keys = JSON.Keys(keys: ["name", "split_index", "train_subset", "val_subset", "model", "width", "stem", "image_size", "epochs",
                                       "batch_size", "optimizer", "scheduler", "augmentations", "label_smoothing", "gradient_clip",
                                       "device", "tf32", "seed", "pretrained", "freeze_backbone_epochs", "backbone_lr_scale"],
                                nested: ["optimizer": ["name", "lr", "weight_decay", "momentum", "nesterov"],
                                         "scheduler": ["name", "warmup_epochs", "step_size", "gamma"],
                                         "augmentations": ["hflip", "random_resized_crop"]])

    /// `config` with every named setting changed; the choices are checked here, the ranges by the
    /// domain when it validates the whole.
    package func apply(to config: inout ExperimentConfig) throws(APIError) {
        config.name = name ?? config.name
        config.splitIndex = split_index ?? config.splitIndex
        config.trainSubset = try JSON.choice(train_subset, "train_subset", or: config.trainSubset)
        config.validationSubset = try JSON.choice(val_subset, "val_subset", or: config.validationSubset)
        let named = try JSON.choice(model, "model", or: config.model)
        // A model named anew brings its own default size, unless the body gives one.
        if named != config.model { config.imageSize = named.defaultImageSize }
        config.model = named
        config.width = width ?? config.width
        config.stem = try JSON.choice(stem, "stem", or: config.stem)
        config.imageSize = image_size ?? config.imageSize
        config.epochs = epochs ?? config.epochs
        config.batchSize = batch_size ?? config.batchSize
        if let optimizer {
            config.optimizer.kind = try JSON.choice(optimizer.name, "optimizer.name", or: config.optimizer.kind)
            config.optimizer.learningRate = optimizer.lr ?? config.optimizer.learningRate
            if let weightDecay = optimizer.weight_decay { config.optimizer.weightDecay = weightDecay }
            config.optimizer.momentum = optimizer.momentum ?? config.optimizer.momentum
            config.optimizer.nesterov = optimizer.nesterov ?? config.optimizer.nesterov
        }
        if let scheduler {
            config.scheduler.kind = try JSON.choice(scheduler.name, "scheduler.name", or: config.scheduler.kind)
            config.scheduler.warmupEpochs = scheduler.warmup_epochs ?? config.scheduler.warmupEpochs
            config.scheduler.stepSize = scheduler.step_size ?? config.scheduler.stepSize
            config.scheduler.gamma = scheduler.gamma ?? config.scheduler.gamma
        }
        if let augmentations {
            config.augmentations.horizontalFlip = augmentations.hflip ?? config.augmentations.horizontalFlip
            config.augmentations.randomResizedCrop = augmentations.random_resized_crop ?? config.augmentations.randomResizedCrop
        }
        config.labelSmoothing = label_smoothing ?? config.labelSmoothing
        if let gradientClip = gradient_clip { config.gradientClip = gradientClip }
        config.device = device ?? config.device
        config.tf32 = tf32 ?? config.tf32
        config.seed = seed ?? config.seed
        if let pretrained { config.pretrained = pretrained }
        config.freezeBackboneEpochs = freeze_backbone_epochs ?? config.freezeBackboneEpochs
        config.backboneLearningRateScale = backbone_lr_scale ?? config.backboneLearningRateScale
    }
}

private extension KeyedDecodingContainer {
    /// A setting that `null` resets: nil when the key is absent, `.some(nil)` when it is null.
    func nullable<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value?? {
        guard contains(key) else { return nil }
        return .some(try decodeNil(forKey: key) ? nil : try decode(Value.self, forKey: key))
    }
}

import Imaging
import Learn

/// Turns a configuration into the model, optimizer and schedule it names, on a backend. Epoch-based
/// settings become steps: a step is one batch.
struct RunRecipe {
    let config: ExperimentConfig
    let classes: Int
    let batchesPerEpoch: Int
    /// The weights `config.pretrained` names, read once for the run; nil without, or on a resume, whose
    /// checkpoint holds every weight.
    var pretrained: NamedTensors? = nil

    /// A classifier's trainer. The model is built on the host from the seed, whatever the backend, so
    /// every device starts from the same weights, and then placed on the backend's device. Several
    /// backends train data-parallel, a replica of the model and optimizer on each.
    func trainer(on backends: [any Backend] = [CPUBackend.shared]) throws -> Trainer {
        var random = Random(seed: config.seed)
        var replicas: [Replica] = []
        for backend in backends {
            // Each replica from the seed's stream, so that all start from the same weights.
            random = Random(seed: config.seed)
            replicas.append(Replica(model: try startingModel(on: backend, random: &random), optimizer: optimizer(on: backend), backend: backend))
        }
        let trainer = Trainer(replicas: replicas, schedule: schedule, configuration: configuration(replicas[0].model))
        trainer.random = random
        return trainer
    }

    /// A detector's trainer, on one backend.
    func detectionTrainer(on backend: any Backend) throws -> DetectionTrainer {
        try denseTrainer(on: backend) { (model: FCOS) in FCOSLoss(classes: model.classes, stride: model.stride) }
    }

    /// A segmenter's trainer, on one backend.
    func segmentationTrainer(on backend: any Backend) throws -> SegmentationTrainer {
        try denseTrainer(on: backend) { (_: Segmenter) in PixelCrossEntropy() }
    }

    /// A dense model's trainer: the configured model, which must be a `Model`, and its objective.
    private func denseTrainer<Model: Layer, Objective>(on backend: any Backend, objective: (Model) -> Objective) throws -> DenseTrainer<Objective> {
        var random = Random(seed: config.seed)
        guard let model = try startingModel(on: backend, random: &random) as? Model else { preconditionFailure("\(config.model) is not a \(Model.self)") }
        let trainer = DenseTrainer(model: model, objective: objective(model), optimizer: optimizer(on: backend), schedule: schedule,
                                   configuration: configuration(model), backend: backend)
        trainer.random = random
        return trainer
    }

    /// The configured model as a run starts it, from the seed, placed on `backend`.
    func model(on backend: any Backend = CPUBackend.shared) -> any Layer {
        var random = Random(seed: config.seed)
        return model(on: backend, random: &random)
    }

    /// The configured model as training starts it: built from `random`, its backbone loaded from the pretrained
    /// weights when there are some (a file that does not fit throws, naming the tensor), placed on `backend`.
    private func startingModel(on backend: any Backend, random: inout Random) throws -> any Layer {
        let model = build(on: backend, random: &random)
        if let pretrained, let backbone = config.model.backbone { try PretrainedWeights.load(pretrained, into: model, backbone: backbone) }
        backend.place(model)
        return model
    }

    /// The configured model, built from `random` and placed on `backend`.
    private func model(on backend: any Backend, random: inout Random) -> any Layer {
        let model = build(on: backend, random: &random)
        backend.place(model)
        return model
    }

    /// The configured model with random weights, on the host.
    private func build(on backend: any Backend, random: inout Random) -> any Layer {
        let (size, width, stem) = (config.imageSize, config.width, config.stem.explicit)
        let model: any Layer = switch config.model {
        case .smallCNN: SmallCNN.make(classes: classes, inputSize: size, backend: backend, random: &random)
        case .resnet18: ResNet18.make(classes: classes, inputSize: size, width: width, stem: stem, backend: backend, random: &random)
        case .mobileNetV2: MobileNetV2.make(classes: classes, inputSize: size, width: width, stem: stem, backend: backend, random: &random)
        case .fcosResNet18, .fcosMobileNetV2:
            FCOS.make(classes: classes, backbone: config.model.denseBackbone!, inputSize: size, width: width, stem: stem,
                      backend: backend, random: &random)
        case .segResNet18, .segMobileNetV2:
            Segmenter.make(classes: classes, backbone: config.model.denseBackbone!, inputSize: size, width: width, stem: stem,
                           backend: backend, random: &random)
        }
        return model
    }

    private var schedule: LearningRateSchedule {
        let kind: LearningRateSchedule.Kind = switch config.scheduler.kind {
        case .cosine: .cosine
        case .step: .step
        case .none: .constant
        }
        return LearningRateSchedule(kind: kind, baseLearningRate: Float(config.optimizer.learningRate),
                                    totalSteps: max(1, config.epochs * batchesPerEpoch),
                                    warmupSteps: config.scheduler.warmupEpochs * batchesPerEpoch,
                                    stepSize: max(1, config.scheduler.stepSize * batchesPerEpoch), gamma: Float(config.scheduler.gamma))
    }

    /// How `model` trains: with a pretrained backbone, that backbone at its own pace.
    private func configuration(_ model: any Layer) -> TrainingConfiguration {
        let normalization = Self.normalizesOnHost(config)
            ? nil : PixelNormalization(mean: ImageTensor.imageNetMean, std: ImageTensor.imageNetStd)
        var configuration = TrainingConfiguration(epochs: config.epochs, gradientClipNorm: config.gradientClip.map(Float.init),
                                                  labelSmoothing: Float(config.labelSmoothing), pixelNormalization: normalization)
        if config.pretrained != nil, let backbone = config.model.backbone {
            configuration.backbone = BackboneTraining(
                parameters: StateDictLayout(model: model, backbone: backbone, scheme: .torchvision).backboneParameters,
                learningRateScale: Float(config.backboneLearningRateScale), frozenEpochs: config.freezeBackboneEpochs)
        }
        return configuration
    }

    private func optimizer(on backend: any Backend) -> any Optimizer {
        let learningRate = Float(config.optimizer.learningRate)
        return switch config.optimizer.kind {
        case .sgd: SGD(learningRate: learningRate, momentum: Float(config.optimizer.momentum), nesterov: config.optimizer.nesterov,
                        weightDecay: Float(config.weightDecay), backend: backend)
        case .adamw: AdamW(learningRate: learningRate, weightDecay: Float(config.weightDecay), backend: backend)
        }
    }

    /// Whether a run's data loader normalizes its examples (on the CPU, across its worker threads) or
    /// hands raw pixels to the backend (on a GPU, which uploads a byte a value and normalizes there).
    static func normalizesOnHost(_ config: ExperimentConfig) -> Bool {
        config.device.primary == .cpu
    }
}

import Learn

/// A training configuration, validated as a whole. Every setting has a documented default
/// (docs/training.md). The enums' raw values are the names the documentation and the stored rows use.
public struct ExperimentConfig: Sendable, Equatable {
    /// The zoo, each model for one project task (`ModelCatalog.swift`).
    public enum Model: String, Sendable, CaseIterable {
        case smallCNN = "small_cnn"
        case resnet18
        case mobileNetV2 = "mobilenet_v2"
        case fcosResNet18 = "fcos_resnet18"
        case fcosMobileNetV2 = "fcos_mobilenet_v2"
        case segResNet18 = "seg_resnet18"
        case segMobileNetV2 = "seg_mobilenet_v2"
    }

    /// `auto` takes ImageNet's stem from 128 pixels up and CIFAR's below; small_cnn has no stem.
    public enum StemChoice: String, Sendable, CaseIterable {
        case auto
        case imagenet
        case cifar

        /// The stem asked for by name; nil (auto) lets the model choose by its input size.
        var explicit: Stem? { Stem(rawValue: rawValue) }
    }

    public struct Optimizer: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case adamw
            case sgd
        }

        public var kind = Kind.adamw
        public var learningRate = 0.001
        /// nil: the optimizer's own default (`ExperimentConfig.weightDecay`).
        public var weightDecay: Double?
        public var momentum = 0.9
        public var nesterov = false

        public init() {}
    }

    public struct Scheduler: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case cosine
            case step
            case none
        }

        public var kind = Kind.cosine
        public var warmupEpochs = 0
        public var stepSize = 10
        public var gamma = 0.1

        public init() {}
    }

    public struct Augmentations: Sendable, Equatable {
        public var horizontalFlip = true
        public var randomResizedCrop = false

        public init() {}
    }

    public var name: String
    public var splitIndex = 0
    public var trainSubset = SplitSubset.train
    public var validationSubset = SplitSubset.val
    public var model = Model.smallCNN
    public var width = 1.0
    public var stem = StemChoice.auto
    public var imageSize = 64
    public var epochs = 10
    public var batchSize = 32
    public var optimizer = Optimizer()
    public var scheduler = Scheduler()
    public var augmentations = Augmentations()
    public var labelSmoothing = 0.0
    public var gradientClip: Double?
    /// `cpu`, `gpu:N`, or a list of GPUs that train data-parallel, each a slice of every batch.
    public var device: DeviceSelection = "cpu"
    /// On a GPU, lets products run in TensorFloat-32 on the tensor cores (cuBLAS's math mode): 10-bit
    /// mantissas in, float32 sums. Off by default, as PyTorch's matmul.
    public var tf32 = false
    public var seed: UInt64 = 0
    /// The name of weights the account brought (`/api/models/weights`) that the backbone starts from; nil
    /// starts from random weights.
    public var pretrained: String?
    /// Epochs at the start during which a pretrained backbone does not change, only the rest of the model.
    public var freezeBackboneEpochs = 0
    /// What a pretrained backbone's learning rate is, as a share of the schedule's (the rest of the model's).
    public var backboneLearningRateScale = 1.0

    public init(name: String) {
        self.name = name
    }

    /// AdamW decays weights by default (0.01, as PyTorch); SGD does not.
    public var weightDecay: Double { optimizer.weightDecay ?? (optimizer.kind == .adamw ? 0.01 : 0) }
}

public enum ExperimentError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(String)
    case nameTaken(String)
}

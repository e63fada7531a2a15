import Learn
import Synchronization

/// What the zoo's models are for: each trains for one project task, has the image size an experiment
/// takes when it names the model and no size, and a parameter count (`GET /api/training/models`).
extension ExperimentConfig.Model {
    public var task: ProjectTask {
        switch self {
        case .smallCNN, .resnet18, .mobileNetV2: .classification
        case .fcosResNet18, .fcosMobileNetV2: .detection
        case .segResNet18, .segMobileNetV2: .segmentation
        }
    }

    /// Classifiers keep the 64 pixels experiments have always defaulted to; a detector needs room for
    /// small objects at its stride of 8, a segmenter for outlines at its stride of 4.
    public var defaultImageSize: Int {
        switch task {
        case .classification: 64
        case .detection: 320
        case .segmentation: 256
        }
    }

    /// The network pretrained weights are named for: a classifier's own, a detector's or segmenter's backbone;
    /// nil for small_cnn, which no library publishes.
    var backbone: Backbone? {
        switch self {
        case .resnet18: .resnet18
        case .mobileNetV2: .mobileNetV2
        default: denseBackbone
        }
    }

    /// The backbone a detector or segmenter builds on; nil for a classifier.
    var denseBackbone: Backbone? {
        switch self {
        case .fcosResNet18, .segResNet18: .resnet18
        case .fcosMobileNetV2, .segMobileNetV2: .mobileNetV2
        case .smallCNN, .resnet18, .mobileNetV2: nil
        }
    }

    /// The class count parameter counts are given for.
    public static let countedClasses = 10

    /// Trainable values at width 1 for `countedClasses` classes at the default image size
    /// (the size changes no count: every head pools or is convolutional).
    public var parameterCount: Int {
        ModelCatalog.counts.withLock { counts in
            if let count = counts[self] { return count }
            var config = ExperimentConfig(name: "count")
            (config.model, config.imageSize) = (self, defaultImageSize)
            let count = Models.parameterCount(RunRecipe(config: config, classes: Self.countedClasses, batchesPerEpoch: 1).model())
            counts[self] = count
            return count
        }
    }

    /// The models a project of `task` trains.
    public static func trained(for task: ProjectTask) -> [Self] {
        allCases.filter { $0.task == task }
    }
}

enum ModelCatalog {    /// Building a model to count it takes a moment at width 1, so each is counted once.
    static let counts = Mutex<[ExperimentConfig.Model: Int]>([:])
}

extension Backbone {
    /// The classifier of the zoo built on this backbone, whose name is how experiments, weights files and the
    /// API call the network (`resnet18`, `mobilenet_v2`).
    var classifier: ExperimentConfig.Model {
        switch self {
        case .resnet18: .resnet18
        case .mobileNetV2: .mobileNetV2
        }
    }
}

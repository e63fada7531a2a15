import Foundation

/// A training configuration, validated as a whole. Every key has a documented default
/// (docs/training.md); unknown keys and bad values are refused with an error naming the field.
public struct ExperimentConfig: Sendable, Equatable, Codable {
    public enum Model: String, Sendable, Codable, CaseIterable {
        case smallCNN = "small_cnn"
        case resnet18
        case mobileNetV2 = "mobilenet_v2"
    }

    public struct Optimizer: Sendable, Equatable, Codable {
        public var name = "adamw"
        public var lr = 0.001
        public var weight_decay: Double?
        public var momentum = 0.9
        public var nesterov = false
    }

    public struct Scheduler: Sendable, Equatable, Codable {
        public var name = "cosine"
        public var warmup_epochs = 0
        public var step_size = 10
        public var gamma = 0.1
    }

    public struct Augmentations: Sendable, Equatable, Codable {
        public var hflip = true
        public var random_resized_crop = false
    }

    public var name: String
    public var split_index = 0
    public var train_subset = "train"
    public var val_subset = "val"
    public var model = Model.smallCNN
    public var width = 1.0
    /// `auto` (ImageNet's stem from 128 pixels up, CIFAR's below), `imagenet` or `cifar`; ignored by small_cnn.
    public var stem = "auto"
    public var image_size = 64
    public var epochs = 10
    public var batch_size = 32
    public var optimizer = Optimizer()
    public var scheduler = Scheduler()
    public var augmentations = Augmentations()
    public var label_smoothing = 0.0
    public var gradient_clip: Double?
    /// `cpu`, `gpu:N`, or a list of GPUs that train data-parallel, each a slice of every batch.
    public var device: DeviceSelection = "cpu"
    /// On a GPU, lets products run in TensorFloat-32 on the tensor cores (cuBLAS's math mode): 10-bit
    /// mantissas in, float32 sums. Off by default, as PyTorch's matmul.
    public var tf32 = false
    public var seed: UInt64 = 0

    /// AdamW decays weights by default (0.01, as PyTorch); SGD does not.
    public var weightDecay: Double { optimizer.weight_decay ?? (optimizer.name == "adamw" ? 0.01 : 0) }
}

public enum ExperimentError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(String)
    case nameTaken(String)
}

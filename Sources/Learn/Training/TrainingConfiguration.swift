/// How a `Trainer` trains, apart from the model, optimizer and schedule.
public struct TrainingConfiguration: Sendable, Codable, Equatable {
    public var epochs: Int
    /// Clips the global gradient norm to this before each step; nil leaves gradients as they are.
    public var gradientClipNorm: Float?
    /// ε of the training loss; validation always uses plain cross-entropy, so it stays comparable
    /// between runs with different smoothing.
    public var labelSmoothing: Float
    /// Set when batches hold raw pixel values (0 to 255, as floats): the backend normalizes them as they
    /// go up, so a GPU receives a byte per value rather than a float.
    public var pixelNormalization: PixelNormalization?
    /// A pretrained backbone's own pace; nil trains every parameter alike.
    public var backbone: BackboneTraining?

    public init(epochs: Int, gradientClipNorm: Float? = nil, labelSmoothing: Float = 0, pixelNormalization: PixelNormalization? = nil) {
        precondition(epochs >= 0, "epochs must be non-negative, got \(epochs)")
        precondition(gradientClipNorm.map { $0 > 0 } ?? true, "gradientClipNorm must be positive")
        self.epochs = epochs
        self.gradientClipNorm = gradientClipNorm
        self.labelSmoothing = labelSmoothing
        self.pixelNormalization = pixelNormalization
    }
}

/// Per-channel statistics raw RGB pixels are normalized by: each value becomes (pixel / 255 − mean[c]) /
/// std[c], computed as pixel·(1 / (255·std[c])) − mean[c] / std[c], ImageTensor.normalized's arithmetic,
/// which every backend follows to the bit.
public struct PixelNormalization: Sendable, Codable, Equatable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == 3 && std.count == 3 && std.allSatisfy { $0 > 0 }, "one mean and positive std per RGB channel")
        (self.mean, self.std) = (mean, std)
    }

    /// The multiplier and the offset of channel `c`.
    public func scaleAndOffset(_ c: Int) -> (scale: Float, offset: Float) {
        (1 / (255 * std[c]), -mean[c] / std[c])
    }
}

/// What one epoch achieved.
public struct EpochMetrics: Sendable, Codable, Equatable {
    /// Counting from 0.
    public var epoch: Int
    /// Means over every sample of the epoch, including those trained before a resume.
    public var trainLoss: Float
    /// nil for a task without a per-image right or wrong (detection).
    public var trainAccuracy: Float?
    /// nil when there are no validation samples.
    public var validationLoss: Float?
    /// A classifier's; nil for other tasks.
    public var validationAccuracy: Float?
    /// A detector's COCO mAP@[.5:.95] on the validation images; nil for other tasks.
    public var validationMAP: Float?
    /// A segmenter's mean IoU over the classes (background included) on the validation images; nil for other tasks.
    public var validationMeanIoU: Float?
    /// The rate of the epoch's last step.
    public var learningRate: Float
    /// Training throughput of this process's part of the epoch.
    public var imagesPerSecond: Float
    /// Wall time of this process's part of the epoch, validation included.
    public var seconds: Float
    /// On a GPU: the bytes its allocator holds from the driver at the epoch's end, and the most it has
    /// held since the run began (every user of the device counted). nil on the CPU.
    public var deviceMemoryBytes: Int?
    public var deviceMemoryPeakBytes: Int?

    public init(epoch: Int, trainLoss: Float, trainAccuracy: Float?, validationLoss: Float?, validationAccuracy: Float?,
                validationMAP: Float? = nil, learningRate: Float, imagesPerSecond: Float, seconds: Float) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.validationMAP = validationMAP
        self.learningRate = learningRate
        self.imagesPerSecond = imagesPerSecond
        self.seconds = seconds
    }
}

public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// Training diverged: continuing would only spread NaNs through the weights.
    case nonFiniteLoss(epoch: Int, batch: Int)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch): "the loss became non-finite at epoch \(epoch), batch \(batch)"
        }
    }
}

/// One image's segmentation held against its truth: the mean IoU of the classes the image has or is
/// predicted to have (`SegmentationReport.imageIoU`), and each such class's IoU, background included;
/// with the predicted and the true class of every pixel (`ClassMask`) to draw them.
public struct ImageSegmentation: Sendable, Equatable, Codable {
    public let iou: Double
    public let classIoU: [String: Double]
    /// The predicted classes, at the image's size up to `ClassMask.maxSide` a side (the pixels `iou` was
    /// measured on when the image is no larger); nil in results kept before masks were.
    public let mask: ClassMask?
    /// The true classes (the image's polygons rasterized) at the same size as `mask`.
    public let truthMask: ClassMask?

    private enum CodingKeys: String, CodingKey { case iou, classIoU = "class_iou", mask, truthMask = "truth_mask" }

    /// An image whose mean IoU is under this is counted wrong (`filter_correct=false`).
    public static let correctIoU = 0.5

    /// `truth` and `prediction` hold each pixel's class index into `classes` (0 the background); the masks
    /// kept, at their size, are `mask` and `truthMask`.
    init(truth: [Int], prediction: [Int], classes: [String], mask: ClassMask? = nil, truthMask: ClassMask? = nil) {
        let report = SegmentationReport(classes: classes, truths: [truth], predictions: [prediction])
        iou = report.imageIoU[0]
        classIoU = report.iou.compactMapValues { $0 }
        (self.mask, self.truthMask) = (mask, truthMask)
    }
}

/// What an evaluation keeps of one image beyond its classes: a detector's boxes or a segmenter's IoU,
/// written as the value itself and told apart on reading by its keys.
public enum ResultDetails: Sendable, Equatable, Codable {
    case detections(ImageDetections)
    case segmentation(ImageSegmentation)

    private enum Probe: String, CodingKey { case iou }

    public init(from decoder: any Decoder) throws {
        self = try decoder.container(keyedBy: Probe.self).contains(.iou)
            ? .segmentation(try ImageSegmentation(from: decoder)) : .detections(try ImageDetections(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .detections(let detections): try detections.encode(to: encoder)
        case .segmentation(let segmentation): try segmentation.encode(to: encoder)
        }
    }

    /// The classes an image result is found under by `filter_class`.
    var classes: Set<String> {
        switch self {
        case .detections(let found):
            Set((found.truePositives + found.falsePositives).map(\.className) + found.misses.map(\.className))
        case .segmentation(let segmentation): Set(segmentation.classIoU.keys).subtracting(["background"])
        }
    }
}

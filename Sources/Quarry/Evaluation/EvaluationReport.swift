/// An evaluation's figures, by the task of the run it measured. Its written form is the report's own
/// (what `GET /api/evaluation/…` shows as `results` and `evaluations.report` holds), told apart on
/// reading by the keys only a detection or segmentation report has, so rows written before them read back.
public enum EvaluationReport: Sendable, Equatable, Codable {
    case classification(ClassificationReport)
    case detection(DetectionReport)
    case segmentation(SegmentationReport)

    private enum Probe: String, CodingKey { case map, mean_iou }

    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: Probe.self)
        if keys.contains(.map) {
            self = .detection(try DetectionReport(from: decoder))
        } else if keys.contains(.mean_iou) {
            self = .segmentation(try SegmentationReport(from: decoder))
        } else {
            self = .classification(try ClassificationReport(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .classification(let report): try report.encode(to: encoder)
        case .detection(let report): try report.encode(to: encoder)
        case .segmentation(let report): try report.encode(to: encoder)
        }
    }
}

/// An evaluation's figures, by the task of the run it measured. Its written form is the report's own
/// (what `GET /api/evaluation/…` shows as `results` and `evaluations.report` holds), told apart on
/// reading by the keys only a detection report has, so rows written before detection read back.
public enum EvaluationReport: Sendable, Equatable, Codable {
    case classification(ClassificationReport)
    case detection(DetectionReport)

    private enum Probe: String, CodingKey { case map }

    public init(from decoder: any Decoder) throws {
        self = try decoder.container(keyedBy: Probe.self).contains(.map)
            ? .detection(try DetectionReport(from: decoder)) : .classification(try ClassificationReport(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .classification(let report): try report.encode(to: encoder)
        case .detection(let report): try report.encode(to: encoder)
        }
    }
}

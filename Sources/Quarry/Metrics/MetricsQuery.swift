import Foundation
import Storage

public enum MetricsError: Error, Equatable, Sendable {
    /// A query parameter, named as the client sent it, could not be used.
    case invalid(parameter: String, reason: String)
}

/// Which jobs the metrics cover and how they are grouped.
public struct MetricsQuery: Sendable, Equatable {
    /// Jobs created at or after this instant; nil for no lower bound.
    public var start: Date?
    /// Jobs created strictly before this instant; nil for no upper bound.
    public var end: Date?
    public var level: PeriodGroupLevel

    public init(start: Date? = nil, end: Date? = nil, level: PeriodGroupLevel = .month) {
        self.start = start
        self.end = end
        self.level = level
    }

    /// Reads `period_start_date`, `period_end_date` and `period_group_level`. Dates are ISO days
    /// ("2023-01-01", midnight UTC) or full ISO 8601 date-times; the level is `day`, `week`,
    /// `month` or `year`, `month` when absent. An empty parameter counts as absent, since forms
    /// and query builders send optional fields that way.
    public static func parse(start: String?, end: String?, level: String?) throws(MetricsError) -> MetricsQuery {
        var query = MetricsQuery()
        if let level = present(level) {
            guard let parsed = PeriodGroupLevel(rawValue: level) else {
                let allowed = PeriodGroupLevel.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalid(parameter: "period_group_level", reason: "must be one of \(allowed), not \"\(level)\"")
            }
            query.level = parsed
        }
        query.start = try date(start, parameter: "period_start_date")
        query.end = try date(end, parameter: "period_end_date")
        if let start = query.start, let end = query.end, end <= start {
            throw .invalid(parameter: "period_end_date", reason: "must be after period_start_date")
        }
        return query
    }

    private static func present(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    private static func date(_ text: String?, parameter: String) throws(MetricsError) -> Date? {
        guard let text = present(text) else { return nil }
        guard let date = ISODay.parse(text) ?? Timestamp.parse(text) else {
            throw .invalid(parameter: parameter, reason: "must be an ISO date like 2023-01-01 or an ISO 8601 date-time, not \"\(text)\"")
        }
        return date
    }
}

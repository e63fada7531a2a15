import Foundation

/// How finely metrics are grouped in time. Groups are cut in UTC, because stored times are UTC
/// and the account has no time zone of its own: day is a calendar day, week an ISO week starting
/// on Monday (so 2023-01-01, a Sunday, belongs to the week of 2022-12-26), month a calendar month
/// and year a calendar year.
public enum PeriodGroupLevel: String, Sendable, CaseIterable {
    case day
    case week
    case month
    case year

    /// The group containing `date`: its first instant and the first instant of the next group.
    func group(containing date: Date) -> DateInterval {
        let component: Calendar.Component = switch self {
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        case .year: .year
        }
        // Every date falls in some interval of these components in the Gregorian calendar.
        guard let interval = PeriodGroupLevel.utc.dateInterval(of: component, for: date) else {
            preconditionFailure("no \(self) contains \(date)")
        }
        return interval
    }

    /// Gregorian in UTC with ISO weeks: Monday first, week 1 holds the year's first Thursday.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.firstWeekday = 2
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }()
}

/// Calendar days as the API writes them, "YYYY-MM-DD" in UTC.
enum ISODay {
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }

    static func parse(_ text: String) -> Date? {
        // The strategy is lenient: it reads "2023-02-30" as March 2 and drops the time of a
        // date-time. Only a date that writes back as the same text is a plain, real day.
        guard let date = try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)),
              format(date) == text else { return nil }
        return date
    }

    /// The first instant of the UTC day holding `date`.
    static func start(of date: Date) -> Date {
        PeriodGroupLevel.utc.startOfDay(for: date)
    }

    /// `date` itself at midnight, else the next midnight: the exclusive end of the days reaching `date`.
    static func end(reaching date: Date) -> Date {
        let start = start(of: date)
        return start == date ? date : PeriodGroupLevel.utc.date(byAdding: .day, value: 1, to: start)!
    }
}

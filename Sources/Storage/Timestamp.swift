import Foundation

/// Times are stored and sent as ISO 8601 UTC with a `Z`, to the millisecond; the text form
/// sorts chronologically, so SQLite range queries on it need no conversion.
public enum Timestamp {
    public static func now() -> String { format(Date()) }

    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    public static func parse(_ text: String) -> Date? {
        // Clients send both with and without fractional seconds.
        (try? Date(text, strategy: .iso8601.year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)))
            ?? (try? Date(text, strategy: .iso8601))
    }
}

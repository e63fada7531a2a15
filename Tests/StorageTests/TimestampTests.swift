import Foundation
import Storage
import Testing

struct TimestampTests {
    @Test func timestampsAreISO8601UTCWithZAndRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_771_495_200.125)
        let text = Timestamp.format(date)
        #expect(text == "2026-02-19T10:00:00.125Z")
        let parsed = try #require(Timestamp.parse(text))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        #expect(Timestamp.parse("2026-02-19T10:00:00Z") != nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }
}

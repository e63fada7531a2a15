import Foundation
import Quarry
import Testing

struct MetricsQueryTests {
    @Test func absentOrEmptyParametersMeanNoBoundsByMonth() throws {
        #expect(try MetricsQuery.parse(start: nil, end: nil, level: nil) == MetricsQuery(start: nil, end: nil, level: .month))
        #expect(try MetricsQuery.parse(start: "", end: "", level: "") == MetricsQuery())
    }

    @Test func isoDaysAreMidnightUTCAndDateTimesAreExact() throws {
        let query = try MetricsQuery.parse(start: "2023-01-01", end: "2023-04-01T06:30:00.250Z", level: "week")
        #expect(query.start == Date(timeIntervalSince1970: 1_672_531_200))  // 2023-01-01T00:00:00Z
        #expect(query.end == Date(timeIntervalSince1970: 1_680_330_600.25))  // 2023-04-01T06:30:00.250Z
        #expect(query.level == .week)
        for level in PeriodGroupLevel.allCases {
            #expect(try MetricsQuery.parse(start: nil, end: nil, level: level.rawValue).level == level)
        }
    }

    @Test(arguments: [
        ("2023-01-01", "2023-01-01", "week", "period_end_date"),  // end not after start
        ("2023-02-01", "2023-01-01", nil, "period_end_date"),
        ("01/02/2023", nil, nil, "period_start_date"),
        ("2023-13-01", nil, nil, "period_start_date"),
        ("2023-02-30", nil, nil, "period_start_date"),  // not rolled over into March
        (nil, "2023-2-1", nil, "period_end_date"),
        (nil, "tomorrow", nil, "period_end_date"),
        (nil, nil, "weekly", "period_group_level"),
        (nil, nil, "Month", "period_group_level"),
    ] as [(String?, String?, String?, String)])
    func badParametersAreNamed(start: String?, end: String?, level: String?, parameter: String) {
        #expect {
            try MetricsQuery.parse(start: start, end: end, level: level)
        } throws: { error in
            guard case MetricsError.invalid(let named, let reason) = error else { return false }
            return named == parameter && !reason.isEmpty
        }
    }

    @Test func unknownLevelReasonListsTheChoices() {
        #expect(throws: MetricsError.invalid(parameter: "period_group_level", reason: "must be one of day, week, month, year, not \"weekly\"")) {
            try MetricsQuery.parse(start: nil, end: nil, level: "weekly")
        }
    }
}

import Foundation
import Quarry
import Storage
import Testing

struct MetricsCalculatorTests {
    private static func at(_ text: String) -> Date { Timestamp.parse(text)! }

    private static func job(_ status: TaskStatus, created: String, started: String? = nil, finished: String? = nil,
                            project: String = "p1") -> JobTimes {
        JobTimes(projectID: project, status: status, created: at(created),
                 started: started.map(at), finished: finished.map(at))
    }

    /// Jobs of p1 in January, February and April 2023, and one of a project not asked for.
    private static let seeded: [JobTimes] = [
        // to finish 30.900 s; lifespan 10 min 30.900 s = 630.900 s
        job(.done, created: "2023-01-10T00:00:00Z", started: "2023-01-10T00:10:00Z", finished: "2023-01-10T00:10:30.900Z"),
        // created on the last second of January: to finish 100.100 s; lifespan 1 + 100.100 = 101.100 s
        job(.done, created: "2023-01-31T23:59:59Z", started: "2023-02-01T00:00:00Z", finished: "2023-02-01T00:01:40.100Z"),
        // no start date: lifespan 1 h 0.500 s = 3600.500 s, no time to finish
        job(.done, created: "2023-01-15T12:00:00Z", finished: "2023-01-15T13:00:00.500Z"),
        job(.new, created: "2023-01-01T00:00:00Z"),
        job(.review, created: "2023-01-20T08:00:00Z", started: "2023-01-20T09:00:00Z"),
        job(.progress, created: "2023-01-21T08:00:00Z", started: "2023-01-21T09:00:00Z"),
        job(.error, created: "2023-02-01T00:00:00Z"),
        job(.expired, created: "2023-02-28T23:59:59.999Z"),
        job(.canceled, created: "2023-02-14T12:00:00Z"),
        // created exactly at April's first midnight: to finish 0.999 s; lifespan 86400.999 s
        job(.done, created: "2023-04-01T00:00:00Z", started: "2023-04-02T00:00:00Z", finished: "2023-04-02T00:00:00.999Z"),
        job(.done, created: "2023-03-01T00:00:00Z", started: "2023-03-01T00:00:00Z", finished: "2023-03-01T00:00:05Z", project: "p3"),
    ]
    private static let projects = [(id: "p1", name: "Cats"), (id: "p2", name: "Empty")]

    private static let january: PeriodMetrics = {
        var m = PeriodMetrics(periodGroupStart: "2023-01-01")
        (m.jobsAll, m.jobsDone, m.jobsNew, m.jobsProgress) = (6, 3, 1, 2)  // progress = 1 progress + 1 review
        // to finish [30.900, 100.100]: min 30, max 100, avg 131.000 / 2 = 65.5 → half up 66
        (m.minSecondsToFinishJob, m.maxSecondsToFinishJob, m.avgSecondsToFinishJob) = (30, 100, 66)
        // lifespan [630.900, 101.100, 3600.500]: min 101, max 3600, avg 4332.500 / 3 = 1444.17 → 1444
        (m.minJobLifespanSeconds, m.maxJobLifespanSeconds, m.avgJobLifespanSeconds) = (101, 3600, 1444)
        return m
    }()
    private static let february: PeriodMetrics = {
        var m = PeriodMetrics(periodGroupStart: "2023-02-01")
        (m.jobsAll, m.jobsError, m.jobsExpired, m.jobsCanceled) = (3, 1, 1, 1)  // no done job: timings null
        return m
    }()
    private static let april: PeriodMetrics = {
        var m = PeriodMetrics(periodGroupStart: "2023-04-01")
        (m.jobsAll, m.jobsDone) = (1, 1)
        // to finish 0.999: min and max cut to 0, avg rounds to 1; lifespan 86400.999 likewise
        (m.minSecondsToFinishJob, m.maxSecondsToFinishJob, m.avgSecondsToFinishJob) = (0, 0, 1)
        (m.minJobLifespanSeconds, m.maxJobLifespanSeconds, m.avgJobLifespanSeconds) = (86400, 86400, 86401)
        return m
    }()

    @Test func monthsCountEveryStatusAndTimeDoneJobs() {
        let result = MetricsCalculator.compute(projects: Self.projects, jobs: Self.seeded, query: MetricsQuery())
        // March has no jobs of p1 and is left out; the period runs to the day after April.
        #expect(result == [
            ProjectMetrics(projectID: "p1", projectName: "Cats", periodStartDate: "2023-01-01", periodEndDate: "2023-05-01",
                           periodGroupLevel: .month, metrics: [Self.january, Self.february, Self.april]),
            ProjectMetrics(projectID: "p2", projectName: "Empty", periodStartDate: nil, periodEndDate: nil,
                           periodGroupLevel: .month, metrics: []),
        ])
    }

    @Test func startIsInclusiveAndEndExclusiveAtMidnight() throws {
        let query = try MetricsQuery.parse(start: "2023-02-01", end: "2023-04-01", level: nil)
        let result = MetricsCalculator.compute(projects: Self.projects, jobs: Self.seeded, query: query)
        // 2023-01-31T23:59:59 is out, 2023-02-01T00:00:00 in, 2023-04-01T00:00:00 out.
        #expect(result.map(\.metrics) == [[Self.february], []])
        #expect(result.map(\.periodStartDate) == ["2023-02-01", "2023-02-01"])
        #expect(result.map(\.periodEndDate) == ["2023-04-01", "2023-04-01"])
    }

    @Test func boundsWithinADayFilterExactlyAndReportWholeDays() throws {
        let query = try MetricsQuery.parse(start: "2023-02-14T12:00:00Z", end: "2023-02-20T06:00:00Z", level: "month")
        let result = MetricsCalculator.compute(projects: [(id: "p1", name: "Cats")], jobs: Self.seeded, query: query)
        var february = PeriodMetrics(periodGroupStart: "2023-02-01")
        (february.jobsAll, february.jobsCanceled) = (1, 1)
        #expect(result.first?.metrics == [february])
        #expect(result.first?.periodStartDate == "2023-02-14")
        #expect(result.first?.periodEndDate == "2023-02-21")
    }

    /// Groups as (first day, jobs_all) for jobs created at `times`.
    private func groups(_ times: [String], _ level: PeriodGroupLevel) -> (groups: [String: Int], order: [String], end: String?) {
        let jobs = times.map { Self.job(.new, created: $0) }
        let project = MetricsCalculator.compute(projects: [(id: "p1", name: "Cats")], jobs: jobs, query: MetricsQuery(level: level))[0]
        let counts = Dictionary(uniqueKeysWithValues: project.metrics.map { ($0.periodGroupStart, $0.jobsAll) })
        return (counts, project.metrics.map(\.periodGroupStart), project.periodEndDate)
    }

    @Test func isoWeeksStartOnMondayAcrossYearEnds() {
        let result = groups([
            "2025-01-05T23:59:59.999Z",  // Sunday: week of Monday 2024-12-30
            "2022-12-26T00:00:00Z",      // Monday
            "2023-01-01T23:59:59Z",      // Sunday: still the week of 2022-12-26
            "2023-01-02T00:00:00Z",      // Monday: a new week
            "2024-12-29T23:59:59.999Z",  // Sunday: week of 2024-12-23
            "2024-12-30T10:00:00Z",      // Monday, in ISO week 1 of 2025
        ], .week)
        #expect(result.order == ["2022-12-26", "2023-01-02", "2024-12-23", "2024-12-30"])
        #expect(result.groups == ["2022-12-26": 2, "2023-01-02": 1, "2024-12-23": 1, "2024-12-30": 2])
        #expect(result.end == "2025-01-06")
    }

    @Test func daysSplitAtUTCMidnight() {
        let result = groups(["2024-02-28T23:59:59.999Z", "2024-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z"], .day)
        #expect(result.order == ["2024-02-28", "2024-02-29", "2024-03-01"])
        #expect(result.groups == ["2024-02-28": 1, "2024-02-29": 2, "2024-03-01": 1])
        #expect(result.end == "2024-03-02")
    }

    @Test func yearsSplitAtNewYear() {
        let result = groups(["2024-06-01T00:00:00Z", "2023-12-31T23:59:59.999Z", "2024-01-01T00:00:00Z"], .year)
        #expect(result.order == ["2023-01-01", "2024-01-01"])
        #expect(result.groups == ["2023-01-01": 1, "2024-01-01": 2])
        #expect(result.end == "2025-01-01")
    }

    @Test func aDoneJobWithoutStartHasALifespanOnly() {
        let jobs = [Self.job(.done, created: "2023-05-01T00:00:00Z", finished: "2023-05-01T00:00:42Z"),
                    // done but never finished: counted, not timed
                    Self.job(.done, created: "2023-05-02T00:00:00Z", started: "2023-05-02T00:00:01Z")]
        let metrics = MetricsCalculator.compute(projects: [(id: "p1", name: "Cats")], jobs: jobs, query: MetricsQuery())[0].metrics
        var may = PeriodMetrics(periodGroupStart: "2023-05-01")
        (may.jobsAll, may.jobsDone) = (2, 2)
        (may.minJobLifespanSeconds, may.maxJobLifespanSeconds, may.avgJobLifespanSeconds) = (42, 42, 42)
        #expect(metrics == [may])
    }

    @Test func aFinishBeforeTheStartCutsTowardZeroAndRoundsHalfUp() {
        // A clock step back: to finish −1.600 s. Min and max cut to −1; avg floor(−1.6 + 0.5) = −2.
        let jobs = [Self.job(.done, created: "2023-05-01T00:00:00Z", started: "2023-05-01T00:00:10Z", finished: "2023-05-01T00:00:08.400Z")]
        let may = MetricsCalculator.compute(projects: [(id: "p1", name: "Cats")], jobs: jobs, query: MetricsQuery())[0].metrics[0]
        #expect([may.minSecondsToFinishJob, may.maxSecondsToFinishJob, may.avgSecondsToFinishJob] == [-1, -1, -2])
        #expect([may.minJobLifespanSeconds, may.maxJobLifespanSeconds, may.avgJobLifespanSeconds] == [8, 8, 8])
    }
}

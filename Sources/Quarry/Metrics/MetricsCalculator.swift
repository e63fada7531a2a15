import Foundation

/// One job's dates as stored (UTC), all the metrics need of it.
public struct JobTimes: Sendable {
    public let projectID: String
    public let status: TaskStatus
    public let created: Date
    public let started: Date?
    public let finished: Date?

    public init(projectID: String, status: TaskStatus, created: Date, started: Date? = nil, finished: Date? = nil) {
        self.projectID = projectID
        self.status = status
        self.created = created
        self.started = started
        self.finished = finished
    }
}

/// The `GET /v1/metrics` figures, computed from job dates alone so the rules are testable
/// without a database.
///
/// The spec filters on "jobs that were started" within the period, yet also counts `jobs_new`,
/// jobs not started yet, which have no start date. So jobs are filtered and grouped by their
/// create date, which every job has: on or after `query.start`, strictly before `query.end`.
public enum MetricsCalculator {
    /// One entry per project, in the order given, each with its own groups (see `ProjectMetrics`);
    /// a project without jobs in the period still appears, with no groups. Jobs of projects not
    /// listed are ignored.
    public static func compute(projects: [(id: String, name: String)], jobs: [JobTimes], query: MetricsQuery) -> [ProjectMetrics] {
        var tallies: [String: [Date: GroupTally]] = [:]
        for job in jobs where query.start.map({ job.created >= $0 }) ?? true && query.end.map({ job.created < $0 }) ?? true {
            let group = query.level.group(containing: job.created)
            tallies[job.projectID, default: [:]][group.start, default: GroupTally(group: group)].add(job)
        }
        return projects.map { project in
            let groups = (tallies[project.id] ?? [:]).values.sorted { $0.group.start < $1.group.start }
            return ProjectMetrics(
                projectID: project.id, projectName: project.name,
                periodStartDate: (query.start.map(ISODay.start(of:)) ?? groups.first?.group.start).map(ISODay.format),
                periodEndDate: (query.end.map(ISODay.end(reaching:)) ?? groups.last?.group.end).map(ISODay.format),
                periodGroupLevel: query.level, metrics: groups.map(\.metrics))
        }
    }
}

/// Counts and timings of one group while jobs are added to it.
private struct GroupTally {
    let group: DateInterval
    private(set) var metrics: PeriodMetrics
    private var toFinish = Durations()
    private var lifespan = Durations()

    init(group: DateInterval) {
        self.group = group
        metrics = PeriodMetrics(periodGroupStart: ISODay.format(group.start))
    }

    mutating func add(_ job: JobTimes) {
        metrics.jobsAll += 1
        switch job.status {
        case .new: metrics.jobsNew += 1
        // Review is Quarry's own step before done; to the client the job is still being processed.
        case .progress, .review: metrics.jobsProgress += 1
        case .done: metrics.jobsDone += 1
        case .error: metrics.jobsError += 1
        case .expired: metrics.jobsExpired += 1
        case .canceled: metrics.jobsCanceled += 1
        }
        guard job.status == .done, let finished = job.finished else { return }
        lifespan.add(from: job.created, to: finished)
        if let started = job.started { toFinish.add(from: started, to: finished) }
        metrics.minSecondsToFinishJob = toFinish.minSeconds
        metrics.maxSecondsToFinishJob = toFinish.maxSeconds
        metrics.avgSecondsToFinishJob = toFinish.averageSeconds
        metrics.minJobLifespanSeconds = lifespan.minSeconds
        metrics.maxJobLifespanSeconds = lifespan.maxSeconds
        metrics.avgJobLifespanSeconds = lifespan.averageSeconds
    }
}

/// Durations kept in whole milliseconds, the precision of stored times, so sums stay exact.
private struct Durations {
    private var count = 0
    private var total = 0
    private var least = Int.max
    private var most = Int.min

    mutating func add(from start: Date, to end: Date) {
        let milliseconds = Int((end.timeIntervalSince(start) * 1000).rounded())
        count += 1
        total += milliseconds
        least = min(least, milliseconds)
        most = max(most, milliseconds)
    }

    // Integer division truncates toward zero, the rule for min and max.
    var minSeconds: Int? { count == 0 ? nil : least / 1000 }
    var maxSeconds: Int? { count == 0 ? nil : most / 1000 }

    /// The mean rounded half up: floor(total / (count·1000) + ½), in integers.
    var averageSeconds: Int? {
        guard count > 0 else { return nil }
        let numerator = 2 * total + count * 1000, denominator = 2000 * count
        let quotient = numerator / denominator
        // Swift divides toward zero; step down for a negative non-exact quotient to get the floor.
        return numerator % denominator < 0 ? quotient - 1 : quotient
    }
}

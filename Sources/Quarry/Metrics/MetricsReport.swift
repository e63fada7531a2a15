/// One period group of one project's metrics, as the HITL API's `GET /v1/metrics` reports them
/// (`API/HITL/MetricsDocument.swift` writes them).
///
/// The timing fields look only at done jobs: "seconds to finish" is finish − start, "lifespan"
/// is finish − create. Differences are taken in whole milliseconds, the precision times are
/// stored in; min and max are then cut to whole seconds toward zero, avg is the exact mean
/// rounded half up. Each is nil when no done job in the group has the dates it needs (a done
/// job without a start date still has a lifespan), rather than a 0 that reads as "instant".
public struct PeriodMetrics: Sendable, Equatable {
    /// The group's first day, "YYYY-MM-DD".
    public var periodGroupStart: String
    public var jobsAll = 0
    public var jobsDone = 0
    public var jobsNew = 0
    /// Jobs in progress and, since the client still waits on them, jobs in review.
    public var jobsProgress = 0
    public var jobsError = 0
    public var jobsExpired = 0
    public var jobsCanceled = 0
    public var minSecondsToFinishJob: Int?
    public var minJobLifespanSeconds: Int?
    public var maxSecondsToFinishJob: Int?
    public var maxJobLifespanSeconds: Int?
    public var avgSecondsToFinishJob: Int?
    public var avgJobLifespanSeconds: Int?

    public init(periodGroupStart: String) {
        self.periodGroupStart = periodGroupStart
    }
}

/// One selected project's metrics. The period dates are "YYYY-MM-DD": the start is the query's
/// start day if given, else the first group's start; the end (exclusive, "the day after the
/// last day") is the query's end if given, else the day after the last group. A query bound
/// inside a day widens to whole days. With no bound and no jobs both are nil.
public struct ProjectMetrics: Sendable, Equatable {
    public var projectID: String
    public var projectName: String
    public var periodStartDate: String?
    public var periodEndDate: String?
    public var periodGroupLevel: PeriodGroupLevel
    /// Groups holding at least one job, oldest first; empty groups are left out.
    public var metrics: [PeriodMetrics]

    public init(projectID: String, projectName: String, periodStartDate: String?, periodEndDate: String?,
                periodGroupLevel: PeriodGroupLevel, metrics: [PeriodMetrics]) {
        self.projectID = projectID
        self.projectName = projectName
        self.periodStartDate = periodStartDate
        self.periodEndDate = periodEndDate
        self.periodGroupLevel = periodGroupLevel
        self.metrics = metrics
    }
}

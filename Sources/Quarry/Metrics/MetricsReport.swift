/// One period group of one project's metrics, keyed as the HITL API's `GET /v1/metrics`.
///
/// The timing fields look only at done jobs: "seconds to finish" is finish − start, "lifespan"
/// is finish − create. Differences are taken in whole milliseconds, the precision times are
/// stored in; min and max are then cut to whole seconds toward zero, avg is the exact mean
/// rounded half up. Each is null when no done job in the group has the dates it needs (a done
/// job without a start date still has a lifespan), rather than a 0 that reads as "instant".
public struct PeriodMetrics: Sendable, Equatable, Encodable {
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

    enum CodingKeys: String, CodingKey {
        case periodGroupStart = "period_group_start"
        case jobsAll = "jobs_all"
        case jobsDone = "jobs_done"
        case jobsNew = "jobs_new"
        case jobsProgress = "jobs_progress"
        case jobsError = "jobs_error"
        case jobsExpired = "jobs_expired"
        case jobsCanceled = "jobs_canceled"
        case minSecondsToFinishJob = "min_seconds_to_finish_job"
        case minJobLifespanSeconds = "min_job_lifespan_seconds"
        case maxSecondsToFinishJob = "max_seconds_to_finish_job"
        case maxJobLifespanSeconds = "max_job_lifespan_seconds"
        case avgSecondsToFinishJob = "avg_seconds_to_finish_job"
        case avgJobLifespanSeconds = "avg_job_lifespan_seconds"
    }

    // Written by hand because the synthesized encoder drops nil keys; clients expect every field.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(periodGroupStart, forKey: .periodGroupStart)
        try container.encode(jobsAll, forKey: .jobsAll)
        try container.encode(jobsDone, forKey: .jobsDone)
        try container.encode(jobsNew, forKey: .jobsNew)
        try container.encode(jobsProgress, forKey: .jobsProgress)
        try container.encode(jobsError, forKey: .jobsError)
        try container.encode(jobsExpired, forKey: .jobsExpired)
        try container.encode(jobsCanceled, forKey: .jobsCanceled)
        try container.encode(minSecondsToFinishJob, forKey: .minSecondsToFinishJob)
        try container.encode(minJobLifespanSeconds, forKey: .minJobLifespanSeconds)
        try container.encode(maxSecondsToFinishJob, forKey: .maxSecondsToFinishJob)
        try container.encode(maxJobLifespanSeconds, forKey: .maxJobLifespanSeconds)
        try container.encode(avgSecondsToFinishJob, forKey: .avgSecondsToFinishJob)
        try container.encode(avgJobLifespanSeconds, forKey: .avgJobLifespanSeconds)
    }
}

/// One selected project's metrics. The period dates are "YYYY-MM-DD": the start is the query's
/// start day if given, else the first group's start; the end (exclusive, "the day after the
/// last day") is the query's end if given, else the day after the last group. A query bound
/// inside a day widens to whole days. With no bound and no jobs both are null.
public struct ProjectMetrics: Sendable, Equatable, Encodable {
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

    enum CodingKeys: String, CodingKey {
        case projectID = "project_id"
        case projectName = "project_name"
        case periodStartDate = "period_start_date"
        case periodEndDate = "period_end_date"
        case periodGroupLevel = "period_group_level"
        case metrics
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(projectName, forKey: .projectName)
        try container.encode(periodStartDate, forKey: .periodStartDate)
        try container.encode(periodEndDate, forKey: .periodEndDate)
        try container.encode(periodGroupLevel.rawValue, forKey: .periodGroupLevel)
        try container.encode(metrics, forKey: .metrics)
    }
}

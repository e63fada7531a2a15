import Quarry

/// `GET /v1/metrics`'s answer for one project, in the HITL spec's names. Every key is written, nulls
/// included: clients of the spec read every field, and a missing one is not a null to them.
struct ProjectMetricsDocument: Encodable {
    let project: ProjectMetrics

    private enum Key: String, CodingKey {
        case project_id, project_name, period_start_date, period_end_date, period_group_level, metrics
    }

    func encode(to encoder: any Encoder) throws {
        var document = encoder.container(keyedBy: Key.self)
        try document.encode(project.projectID, forKey: .project_id)
        try document.encode(project.projectName, forKey: .project_name)
        try document.encode(project.periodStartDate, forKey: .period_start_date)
        try document.encode(project.periodEndDate, forKey: .period_end_date)
        try document.encode(project.periodGroupLevel.rawValue, forKey: .period_group_level)
        try document.encode(project.metrics.map(PeriodMetricsDocument.init), forKey: .metrics)
    }
}

/// One period group of a project's metrics.
struct PeriodMetricsDocument: Encodable {
    let group: PeriodMetrics

    private enum Key: String, CodingKey {
        case period_group_start, jobs_all, jobs_done, jobs_new, jobs_progress, jobs_error, jobs_expired, jobs_canceled
        case min_seconds_to_finish_job, min_job_lifespan_seconds, max_seconds_to_finish_job, max_job_lifespan_seconds
        case avg_seconds_to_finish_job, avg_job_lifespan_seconds
    }

    func encode(to encoder: any Encoder) throws {
        var document = encoder.container(keyedBy: Key.self)
        try document.encode(group.periodGroupStart, forKey: .period_group_start)
        for (count, key) in [(group.jobsAll, Key.jobs_all), (group.jobsDone, .jobs_done), (group.jobsNew, .jobs_new),
                             (group.jobsProgress, .jobs_progress), (group.jobsError, .jobs_error), (group.jobsExpired, .jobs_expired),
                             (group.jobsCanceled, .jobs_canceled)] {
            try document.encode(count, forKey: key)
        }
        for (seconds, key) in [(group.minSecondsToFinishJob, Key.min_seconds_to_finish_job), (group.minJobLifespanSeconds, .min_job_lifespan_seconds),
                               (group.maxSecondsToFinishJob, .max_seconds_to_finish_job), (group.maxJobLifespanSeconds, .max_job_lifespan_seconds),
                               (group.avgSecondsToFinishJob, .avg_seconds_to_finish_job), (group.avgJobLifespanSeconds, .avg_job_lifespan_seconds)] {
            try document.encode(seconds, forKey: key)
        }
    }
}

import Foundation
@testable import API
import Quarry
import Testing

/// `GET /v1/metrics` writes exactly the spec's keys, a null where a figure does not apply rather than
/// leaving the key out.
struct MetricsDocumentTests {
    @Test func everyKeyOfTheSpecIsWrittenNullsIncluded() throws {
        var january = PeriodMetrics(periodGroupStart: "2023-01-01")
        (january.jobsAll, january.jobsDone, january.avgSecondsToFinishJob) = (2, 1, 66)
        let projects = [
            ProjectMetrics(projectID: "p1", projectName: "Cats", periodStartDate: "2023-01-01", periodEndDate: "2023-02-01",
                           periodGroupLevel: .month, metrics: [january]),
            ProjectMetrics(projectID: "p2", projectName: "Empty", periodStartDate: nil, periodEndDate: nil, periodGroupLevel: .month, metrics: []),
        ]
        let data = try JSONEncoder().encode(projects.map(ProjectMetricsDocument.init))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let projectKeys: Set = ["project_id", "project_name", "period_start_date", "period_end_date", "period_group_level", "metrics"]
        let groupKeys: Set = [
            "period_group_start", "jobs_all", "jobs_done", "jobs_new", "jobs_progress", "jobs_error", "jobs_expired", "jobs_canceled",
            "min_seconds_to_finish_job", "min_job_lifespan_seconds", "max_seconds_to_finish_job", "max_job_lifespan_seconds",
            "avg_seconds_to_finish_job", "avg_job_lifespan_seconds",
        ]
        for project in json { #expect(Set(project.keys) == projectKeys) }
        #expect(json[0]["period_group_level"] as? String == "month" && json[0]["project_name"] as? String == "Cats")
        #expect(json[1]["period_start_date"] is NSNull && json[1]["period_end_date"] is NSNull)
        let group = try #require((json[0]["metrics"] as? [[String: Any]])?.first)
        #expect(Set(group.keys) == groupKeys)
        #expect(group["avg_seconds_to_finish_job"] as? Int == 66 && group["jobs_all"] as? Int == 2 && group["jobs_new"] as? Int == 0)
        #expect(group["min_seconds_to_finish_job"] is NSNull && group["period_group_start"] as? String == "2023-01-01")
    }
}

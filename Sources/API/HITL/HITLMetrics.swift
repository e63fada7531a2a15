import Foundation
import HTTP
import Quarry

/// `GET /v1/metrics`: per project and period group, job counts by status and the timing of done
/// jobs, computed by `MetricsCalculator` (its doc comments define every field).
struct HITLMetrics: Sendable {
    let services: Services

    func metrics(_ request: Request, _ account: Account) throws -> Response {
        let query: MetricsQuery
        do {
            query = try MetricsQuery.parse(start: request.query["period_start_date"], end: request.query["period_end_date"],
                                           level: request.query["period_group_level"])
        } catch .invalid(let parameter, let reason) {
            throw APIError.badRequest("\(parameter) \(reason)")
        }
        // A list that names no project (`project_ids=`) counts as absent, like every empty parameter: all projects.
        let named = (request.query["project_ids"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let requested = named.isEmpty ? nil : named
        let (projects, jobs) = try services.hitl.metricsInput(accountID: account.id, projectIDs: requested)
        return JSON.response(MetricsCalculator.compute(projects: projects, jobs: jobs, query: query).map(ProjectMetricsDocument.init))
    }
}

import Learn
@testable import Quarry
import Testing

/// `EvaluationService`: a trained run's checkpoint measured on a subset, its report and per-image results
/// committed together, requests that cannot be met refused by field.
@Suite struct EvaluationServiceTests {
    @Test func aRunIsEvaluatedOnItsSplitsValidationImages() throws {
        let fixture = try StudioFixture()
        let split = try fixture.split()
        let experiment = try fixture.experiment()
        let run = try fixture.train(experiment)
        let evaluations = fixture.services.evaluations
        let (account, project) = (fixture.accountID, fixture.projectID)
        let finished = JobReports(fixture.services.runs.jobs, kind: .evaluation)
        var request = EvaluationRequest(experimentID: experiment.id, runID: run.id)
        request.splitSubset = .val
        let created = try evaluations.create(accountID: account, projectID: project, request: request)
        #expect(created.status == .pending && created.request.device == .cpu && created.request.splitIndex == 0)
        #expect(finished.wait(created.id, until: { !$0.isActive }) == .completed)

        let evaluation = try evaluations.get(accountID: account, projectID: project, id: created.id)
        guard case .classification(let report) = try #require(evaluation.report) else { Issue.record("not a classification report"); return }
        #expect(report.count == split.stats["val"] && evaluation.skipped == 0)
        let (results, total) = try evaluations.results(accountID: account, projectID: project, id: created.id, query: EvaluationResultQuery())
        #expect(total == report.count && results.count == total)
        #expect(Double(results.filter(\.correct).count) / Double(total) == report.accuracy)

        var missing = request
        missing.splitIndex = 4
        #expect(throws: SplitError.notFound(4)) {
            try evaluations.create(accountID: account, projectID: project, request: missing)
        }
        var oversized = request
        oversized.batchSize = EvaluationRequest.maxBatchSize + 1
        #expect(throws: EvaluationError.invalid(field: "batch_size", reason: "must be from 1 to \(EvaluationRequest.maxBatchSize)")) {
            try evaluations.create(accountID: account, projectID: project, request: oversized)
        }
        #expect(throws: ProjectError.notFound(project)) {
            try evaluations.create(accountID: fixture.strangerID, projectID: project, request: request)
        }
        try evaluations.delete(accountID: account, projectID: project, id: created.id)
        #expect(try evaluations.list(accountID: account, projectID: project).isEmpty)
    }
}

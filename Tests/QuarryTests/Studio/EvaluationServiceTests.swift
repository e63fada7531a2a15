import Foundation
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
        let body = #"{"experiment_id": "\#(experiment.id)", "run_id": "\#(run.id)", "split_subset": "val"}"#
        let created = try evaluations.create(accountID: account, projectID: project, body: Data(body.utf8))
        #expect(created.status == .pending && created.request.device == "cpu")
        #expect(finished.wait(created.id, until: { !$0.isActive }) == .completed)

        let evaluation = try evaluations.get(accountID: account, projectID: project, id: created.id)
        let report = try #require(evaluation.report)
        #expect(report.count == split.stats["val"] && evaluation.skipped == 0)
        let (results, total) = try evaluations.results(accountID: account, projectID: project, id: created.id, query: EvaluationResultQuery())
        #expect(total == report.count && results.count == total)
        #expect(Double(results.filter(\.correct).count) / Double(total) == report.accuracy)

        let missing = #"{"experiment_id": "\#(experiment.id)", "run_id": "\#(run.id)", "split_index": 4}"#
        #expect(throws: EvaluationError.invalid(field: "split_index", reason: "split 4 does not exist")) {
            try evaluations.create(accountID: account, projectID: project, body: Data(missing.utf8))
        }
        #expect(throws: ProjectError.notFound(project)) {
            try evaluations.create(accountID: fixture.strangerID, projectID: project, body: Data(body.utf8))
        }
        try evaluations.delete(accountID: account, projectID: project, id: created.id)
        #expect(try evaluations.list(accountID: account, projectID: project).isEmpty)
    }
}

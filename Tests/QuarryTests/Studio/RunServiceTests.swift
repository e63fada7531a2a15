import Foundation
@testable import Quarry
import Testing

/// `RunService`: a run trains its epochs on the CPU and records them, is stopped and resumed to the same
/// end, refuses what cannot start, and cannot be deleted while it is going.
@Suite struct RunServiceTests {
    @Test func aRunTrainsAndRecordsEveryEpoch() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let run = try fixture.train(try fixture.experiment())
        #expect(run.status == .completed && run.error == nil, "\(run.error?.message ?? "")")
        #expect(run.metrics.map(\.epoch) == [0, 1] && run.classes == ["blue", "red"])
        #expect(run.bestValidationAccuracy != nil && run.startedAt != nil && run.finishedAt != nil)
        let listed = try fixture.services.runs.list(accountID: fixture.accountID, projectID: fixture.projectID)
        #expect(listed.map(\.id) == [run.id])
        #expect(throws: ProjectError.notFound(fixture.projectID)) {
            try fixture.services.runs.list(accountID: fixture.strangerID, projectID: fixture.projectID)
        }
        // A completed run does not resume, and goes when deleted.
        #expect(throws: RunError.notResumable(id: run.id, status: .completed)) {
            try fixture.services.runs.resume(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        }
        try fixture.services.runs.delete(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        #expect(throws: RunError.notFound(run.id)) { try fixture.services.runs.get(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id) }
    }

    @Test func aRunWithoutASplitIsRefusedAndAStoppedOneResumesToTheEnd() throws {
        let fixture = try StudioFixture()
        let experiment = try fixture.experiment()
        #expect(throws: SplitError.notFound(0)) {
            try fixture.services.runs.start(accountID: fixture.accountID, projectID: fixture.projectID, experimentID: experiment.id)
        }
        _ = try fixture.split()
        let runs = fixture.services.runs
        // Stopped before it trains a batch: it ends `stopped`, with nothing recorded, and resumes from the start.
        let run = try runs.start(accountID: fixture.accountID, projectID: fixture.projectID, experimentID: experiment.id)
        _ = try runs.stop(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        try fixture.waitForRun(run.id)
        let stopped = try runs.get(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        #expect(stopped.status == .stopped)
        _ = try runs.resume(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        try fixture.waitForRun(run.id)
        let resumed = try runs.get(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        #expect(resumed.status == .completed && resumed.metrics.map(\.epoch) == [0, 1])
    }
}

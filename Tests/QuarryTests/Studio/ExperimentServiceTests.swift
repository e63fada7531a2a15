@testable import Quarry
import Testing

/// `ExperimentService`: whole configurations saved, patches that change only what they name, one name
/// per project, bad fields refused by name, another account's project absent.
@Suite struct ExperimentServiceTests {
    @Test func anExperimentIsSavedPatchedAndDeleted() throws {
        let fixture = try StudioFixture(imagesPerClass: 2)
        let (experiments, account, project) = (fixture.services.experiments, fixture.accountID, fixture.projectID)
        let saved = try fixture.experiment()
        #expect(saved.config.epochs == 2 && saved.config.optimizer.kind == .adamw && saved.config.device == "cpu")
        let patched = try experiments.update(accountID: account, projectID: project, id: saved.id) { config in
            (config.epochs, config.optimizer.learningRate) = (3, 0.01)
        }
        #expect(patched.config.epochs == 3 && patched.config.optimizer.learningRate == 0.01 && patched.config.imageSize == 8)
        #expect(try experiments.get(accountID: account, projectID: project, id: saved.id).config == patched.config)
        #expect(try experiments.list(accountID: account, projectID: project).map(\.id) == [saved.id])

        #expect(throws: ExperimentError.nameTaken("small")) { try fixture.experiment() }
        #expect(throws: ExperimentError.invalid(field: "epochs", reason: "must be from 1 to 1000")) {
            try experiments.update(accountID: account, projectID: project, id: saved.id) { $0.epochs = 0 }
        }
        #expect(try experiments.get(accountID: account, projectID: project, id: saved.id).config.epochs == 3, "a refused change is not saved")
        #expect(throws: ProjectError.notFound(project)) { try experiments.list(accountID: fixture.strangerID, projectID: project) }

        try experiments.delete(accountID: account, projectID: project, id: saved.id)
        #expect(throws: ExperimentError.notFound(saved.id)) { try experiments.get(accountID: account, projectID: project, id: saved.id) }
    }
}

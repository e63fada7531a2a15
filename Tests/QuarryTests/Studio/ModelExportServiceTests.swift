import Foundation
import Learn
@testable import Quarry
import Testing

/// `ModelExportService`: a run's checkpoint as Quarry's own file and as ONNX, made as jobs, kept as blobs;
/// options the model cannot meet refused before anything is queued.
@Suite struct ModelExportServiceTests {
    @Test func aRunIsExportedAsItsCheckpointAndAsONNX() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let experiment = try fixture.experiment()
        let run = try fixture.train(experiment)
        let exports = fixture.services.modelExports
        let (account, project) = (fixture.accountID, fixture.projectID)
        let finished = JobReports(fixture.services.runs.jobs, kind: .modelExport)
        for format in ["quarry", "onnx"] {
            let body = #"{"experiment_id": "\#(experiment.id)", "run_id": "\#(run.id)", "format": "\#(format)"}"#
            let created = try exports.create(accountID: account, projectID: project, body: Data(body.utf8))
            #expect(finished.wait(created.id, until: { !$0.isActive }) == .completed, "\(format)")
            let (blob, name) = try exports.file(accountID: account, projectID: project, id: created.id)
            let bytes = try fixture.services.blobs.read(blob)
            #expect(name.hasSuffix(format == "onnx" ? ".onnx" : ".ckpt") && !bytes.isEmpty)
            if format == "quarry" {
                // The checkpoint file itself, as the run wrote it.
                let written = try Data(contentsOf: URL(fileURLWithPath: fixture.services.runs.checkpointPath(run.id, "best")))
                #expect(bytes == Array(written))
            }
        }
        let opset = #"{"experiment_id": "\#(experiment.id)", "run_id": "\#(run.id)", "format": "onnx", "options": {"opset_version": 3}}"#
        #expect(throws: ModelExportError.invalid(field: "options.opset_version",
                                                 reason: "must be from \(ONNXExport.opsets.lowerBound) to \(ONNXExport.opsets.upperBound)")) {
            try exports.create(accountID: account, projectID: project, body: Data(opset.utf8))
        }
        #expect(try exports.list(accountID: account, projectID: project).count == 2)
    }
}

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
        for format in [ModelExportRequest.Format.quarry, .onnx] {
            var request = ModelExportRequest(experimentID: experiment.id, runID: run.id)
            request.format = format
            request.options = format == .onnx ? ModelExportRequest.ONNXOptions() : nil
            let created = try exports.create(accountID: account, projectID: project, request: request)
            #expect(finished.wait(created.id, until: { !$0.isActive }) == .completed, "\(format)")
            #expect(created.request.options?.inputShape == (format == .onnx ? [1, 3, 8, 8] : nil), "the run's input shape when none is given")
            let (blob, name) = try exports.file(accountID: account, projectID: project, id: created.id)
            let bytes = try fixture.services.blobs.read(blob)
            #expect(name.hasSuffix(".\(format.fileExtension)") && !bytes.isEmpty)
            if format == .quarry {
                // The checkpoint file itself, as the run wrote it.
                let written = Data(try #require(try fixture.services.runs.files.checkpointBytes(run.id, .best)))
                #expect(bytes == Array(written))
            }
        }
        var opset = ModelExportRequest(experimentID: experiment.id, runID: run.id)
        opset.options = ModelExportRequest.ONNXOptions()
        opset.options?.opsetVersion = 3
        #expect(throws: ModelExportError.invalid(field: "options.opset_version",
                                                 reason: "must be from \(ONNXExport.opsets.lowerBound) to \(ONNXExport.opsets.upperBound)")) {
            try exports.create(accountID: account, projectID: project, request: opset)
        }
        #expect(try exports.list(accountID: account, projectID: project).count == 2)
    }
}

import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Testing

/// A data directory with an account and a Studio project holding a small dataset of two colours
/// (`red/` and `blue/` folders of 8×8 images, imported as a ZIP through the import job), for the Studio
/// services' tests. Waits are on the services' own reports (job status changes, run events), never on time.
final class StudioFixture {
    let directory: TemporaryDirectory
    let services: Services
    let accountID: String
    let projectID: String
    /// Another account, whose requests must find nothing of this one's.
    let strangerID: String
    /// The dataset the import made.
    private(set) var datasetID = 0

    init(imagesPerClass: Int = 12) throws {
        directory = try TemporaryDirectory("quarry-studio")
        services = try Services(dataDirectory: "\(directory.path)/data", settings: TestDatabases.settings())
        accountID = try services.accounts.create(name: "studio").account.id
        strangerID = try services.accounts.create(name: "stranger").account.id
        projectID = try services.projects.create(accountID: accountID, name: "colours").id
        try importColours(imagesPerClass: imagesPerClass)
    }

    deinit {
        services.close()
        directory.remove()
    }

    /// Imports `red/` and `blue/` through the import job and waits for it to finish.
    private func importColours(imagesPerClass: Int) throws {
        let archive = "\(directory.path)/colours.zip"
        let writer = try ZipWriter(path: archive)
        for index in 0..<imagesPerClass {
            for (name, pixel) in [("red", [UInt8(200), 30, 30]), ("blue", [UInt8(30), 30, 200])] {
                let shade = UInt8(index * 3)
                let pixels = (0..<64).flatMap { _ in pixel.map { $0 &+ shade } }
                try writer.add(name: "\(name)/\(index).png", bytes: try ImageEncoder.png(Bitmap(width: 8, height: 8, channels: 3, pixels: pixels)),
                               compress: false)
            }
        }
        try writer.finish()
        let finished = JobReports(services.runs.jobs, kind: .importJob)
        let job = try services.imports.importArchive(accountID: accountID, projectID: projectID, archive: archive)
        let status = finished.wait(job.id, until: { !$0.isActive })
        let row = try services.imports.job(accountID: accountID, projectID: projectID, id: job.id)
        #expect(status == .completed, "\(row)")
        datasetID = row.datasetID ?? 0
    }

    /// A split of every image, 70% train and 30% val.
    func split() throws -> SplitSummary {
        try services.splits.create(accountID: accountID, projectID: projectID, name: "main",
                                   planner: SplitPlanner(ratios: ["train": 0.7, "val": 0.3, "test": 0], seed: 7))
    }

    /// An experiment of a small CNN at 8 px, two epochs, batches of 4.
    func experiment() throws -> Experiment {
        var config = ExperimentConfig(name: "small")
        (config.model, config.imageSize, config.epochs, config.batchSize) = (.smallCNN, 8, 2, 4)
        return try services.experiments.create(accountID: accountID, projectID: projectID, config: config)
    }

    /// Starts a run of `experiment` and waits until it ends; the run as it ended.
    func train(_ experiment: Experiment) throws -> Run {
        let run = try services.runs.start(accountID: accountID, projectID: projectID, experimentID: experiment.id)
        try waitForRun(run.id)
        return try services.runs.get(accountID: accountID, projectID: projectID, id: run.id)
    }

    /// Waits for the run's event stream to end (it ends with the run's last status change).
    func waitForRun(_ id: String) throws {
        let ended = DispatchSemaphore(value: 0)
        let finished = services.runs.events.subscribe(run: id) { event in
            if case .done = event { ended.signal() }
            return true
        }
        if !finished { #expect(ended.wait(timeout: .now() + 120) == .success, "run \(id) did not end") }
    }
}

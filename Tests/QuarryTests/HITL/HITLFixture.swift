import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// A data directory whose fetcher may reach a local test server, two accounts (the second must find
/// nothing of the first's), and the server's files: instructions, a job image and a job PDF. Webhook
/// bodies read `JOB STATUS BASEURL`, so a test can tell what was rendered and when.
final class HITLFixture {
    let directory: TemporaryDirectory
    let server: LocalHTTPServer
    let services: Services
    let accountID: String
    let strangerID: String
    let instructionsURL: String
    let imageURL: String
    let pdfURL: String
    /// The job image's bytes.
    let png: [UInt8]
    /// How many `/hook` requests `deliverDue` has waited for so far.
    private var hooksSeen = 0

    static let pdf = Array("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)
    static let publicURL = "https://quarry.example"

    static let body: WebhookBody = { job, baseURL in Array("\(job.task.id) \(job.task.status.rawValue) \(baseURL)".utf8) }

    init(configure: (inout Services.Settings) -> Void = { _ in }) throws {
        directory = try TemporaryDirectory("quarry-hitl")
        server = try LocalHTTPServer()
        var settings = Services.Settings()
        // The test server listens on loopback, which the default policy refuses.
        settings.addressPolicy = .allowAll
        settings.publicURL = Self.publicURL
        settings.webhookBody = Self.body
        configure(&settings)
        services = try Services(dataDirectory: "\(directory.path)/data", settings: TestDatabases.settings(settings))
        accountID = try services.accounts.create(name: "client").account.id
        strangerID = try services.accounts.create(name: "stranger").account.id
        instructionsURL = try server.put("instructions.pdf", Self.pdf)
        png = try ImageEncoder.png(Bitmap(width: 32, height: 16, channels: 3, pixels: [UInt8](repeating: 90, count: 32 * 16 * 3)))
        imageURL = try server.put("frame.png", png)
        pdfURL = try server.put("page.pdf", Self.pdf)
    }

    deinit {
        services.close()
        server.stop()
        directory.remove()
    }

    /// A project made from the instructions URL, `new` until an administrator activates it.
    func newProject(_ name: String = "frames") throws -> Project {
        try services.hitl.createProject(accountID: accountID, name: name, instructionsURL: instructionsURL)
    }

    /// A project activated with an annotator and a reviewer.
    func activeProject(_ name: String = "frames") throws -> Project {
        try services.administration.setStatus(projectID: try newProject(name).id, status: .active,
                                              annotator: "ann@hitl.io", reviewer: "rev@hitl.io")
    }

    /// The job as its client reads it.
    func read(_ jobID: String, in projectID: String) throws -> HITLJob {
        try services.hitl.job(accountID: accountID, projectID: projectID, jobID: jobID)
    }

    /// A job of the image in `projectID`, reporting to the server's `/hook` when `webhook` is set.
    func job(in projectID: String, webhook: Bool = false, expirationMinutes: Int? = nil, linkBase: String? = nil) throws -> String {
        try services.hitl.createJob(accountID: accountID, JobRequest(
            projectID: projectID, fileURLs: [imageURL], webhookURL: webhook ? server.url("/hook") : nil,
            webhookHeaders: webhook ? ["X-Client": "abc"] : [:], expirationMinutes: expirationMinutes, linkBase: linkBase))
    }

    func worker(_ email: String) throws -> Worker {
        try #require(try services.workers.list(accountID: accountID).first { $0.email == email })
    }

    /// Labels the job's image as the annotator and hands it to the reviewer.
    func submit(_ jobID: String) throws {
        let task = try services.labeling.open(taskID: jobID, worker: try worker("ann@hitl.io")).task
        let image = try #require(task.imageIDs.first)
        _ = try services.labeling.submit(taskID: jobID, worker: try worker("ann@hitl.io"),
                                         labels: [ImageLabels(imageID: image, labels: [Label(label: "car", type: .tag)])])
    }

    /// Approves a submitted job, which makes it `done`.
    func approve(_ jobID: String) throws {
        _ = try services.labeling.review(taskID: jobID, worker: try worker("rev@hitl.io"), approve: true, comment: nil)
    }

    func finish(_ jobID: String) throws {
        try submit(jobID)
        try approve(jobID)
    }

    /// Moves the job's expiry a minute into the past, since a request can ask for one minute at least.
    func backdateExpiry(_ jobID: String) throws {
        try services.database.write { db in
            _ = try db.run("UPDATE tasks SET expires_at = ? WHERE id = ?", [Timestamp.format(Date().addingTimeInterval(-60)), jobID])
        }
    }

    /// Starts the deliveries that are due and waits until each was attempted and recorded; how many
    /// it started. A dispatcher of its own, so its work group can be waited on: the receiver reports
    /// each request, and once all have arrived, closing the group waits for their records.
    func deliverDue() throws -> Int {
        let work = WorkInFlight()
        let dispatcher = WebhookDispatcher(database: services.database, fetcher: Fetcher(policy: services.settings.addressPolicy),
                                           settings: services.settings.webhooks, work: work, process: services.jobs.process.id)
        let started = dispatcher.dispatchDue()
        for index in hooksSeen..<hooksSeen + started { _ = try server.hook(index) }
        hooksSeen += started
        #expect(work.close(waitingUntil: .now() + 60), "the attempts did not finish")
        return started
    }

    func deliveries(_ jobID: String) throws -> [WebhookDelivery] {
        try services.webhookDeliveries(accountID: accountID, jobID: jobID)
    }

    /// The instructions a project was made with, as stored.
    func instructions(of projectID: String) throws -> (name: String, bytes: [UInt8])? {
        let row = try services.database.read { db in
            try db.queryOne("SELECT instructions_blob, instructions_name FROM projects WHERE id = ?", [projectID])
        }
        guard let row, let blob = BlobID(hex: try row.string("instructions_blob")) else { return nil }
        return (try row.string("instructions_name"), try services.blobs.read(blob))
    }
}

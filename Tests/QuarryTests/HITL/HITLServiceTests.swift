import Foundation
@testable import Quarry
import Storage
import Testing

/// `HITLService` against a local file server: projects from an instructions URL, jobs from file URLs
/// (fetched, checked, stored), reading jobs back in pages, cancelation, the metrics' input, and
/// another account finding nothing.
@Suite struct HITLServiceTests {
    @Test func aProjectStartsNewWithItsInstructionsFetchedAndStored() throws {
        let fixture = try HITLFixture()
        let project = try fixture.newProject("  frames ")
        #expect(project.name == "frames" && project.status == .new && project.accountID == fixture.accountID)
        // Clients agree the classes out of band, so annotators may add them.
        #expect(project.allowClassCreation)
        let stored = try #require(try fixture.instructions(of: project.id))
        #expect(stored.name == "instructions.pdf" && stored.bytes == HITLFixture.pdf)
        #expect(try fixture.server.requestCount() == 1)
    }

    @Test func aBadProjectNameIsRefusedBeforeAnythingIsFetched() throws {
        let fixture = try HITLFixture()
        let hitl = fixture.services.hitl
        let refusals: [(String, ProjectError)] = [
            (" \n", .invalid(field: "name", reason: "must not be empty")),
            (String(repeating: "n", count: 201), .invalid(field: "name", reason: "is longer than 200 characters")),
            ("bell\u{7}", .invalid(field: "name", reason: "contains control characters")),
        ]
        for (name, error) in refusals {
            #expect(throws: error) { try hitl.createProject(accountID: fixture.accountID, name: name, instructionsURL: fixture.instructionsURL) }
        }
        #expect(try fixture.server.requestCount() == 0)
        _ = try hitl.createProject(accountID: fixture.accountID, name: "frames", instructionsURL: fixture.instructionsURL)
        #expect(throws: ProjectError.nameTaken("frames")) {
            try hitl.createProject(accountID: fixture.accountID, name: "frames", instructionsURL: fixture.instructionsURL)
        }
    }

    @Test func instructionsAreCheckedByExtensionAndBytesAndTheRefusalNamesTheURL() throws {
        let fixture = try HITLFixture()
        let text = fixture.server.url("/files/notes.txt")
        let disguised = try fixture.server.put("disguised.pdf", fixture.png)
        let missing = fixture.server.url("/files/missing.pdf")
        let refusals: [(String, String)] = [
            (text, "the file name must end in one of: pdf, docx, png, jpg, jpeg"),
            (disguised, "the content is not a PDF file"),
            (missing, "\(missing) answered with HTTP status 404"),
        ]
        for (url, reason) in refusals {
            #expect(throws: HITLError.badFile(url: url, reason: reason)) {
                try fixture.services.hitl.createProject(accountID: fixture.accountID, name: "frames", instructionsURL: url)
            }
        }
        #expect(try fixture.services.projects.list(accountID: fixture.accountID).isEmpty)
    }

    @Test func loopbackURLsAreRefusedUnlessTheAddressPolicyAllowsThem() throws {
        let fixture = try HITLFixture { $0.addressPolicy = .publicOnly }
        let url = fixture.instructionsURL
        #expect(throws: HITLError.badFile(url: url, reason: FetchError.addressRefused(url: url, address: "127.0.0.1").description)) {
            try fixture.services.hitl.createProject(accountID: fixture.accountID, name: "frames", instructionsURL: url)
        }
        #expect(try fixture.server.requestCount() == 0)
    }

    @Test func aJobStoresItsFetchedFilesPredictionsAndWebhook() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let predictions = #"{"labels":[{"label":"car","score":0.9}]}"#
        let hook = fixture.server.url("/hook")
        let id = try fixture.services.hitl.createJob(accountID: fixture.accountID, JobRequest(
            projectID: project.id, fileURLs: [fixture.imageURL, fixture.pdfURL], predictions: predictions, webhookURL: hook,
            webhookHeaders: ["X-Client": "abc"], expirationMinutes: 30))
        let job = try fixture.read(id, in: project.id)

        #expect(job.task.status == .new && job.task.source == .hitl && job.accountID == fixture.accountID)
        #expect(job.files.map(\.position) == [0, 1])
        #expect(job.files.map(\.fileName) == ["frame.png", "page.pdf"])
        #expect(job.files.map(\.contentType) == ["image/png", "application/pdf"])
        #expect(job.files.map(\.size) == [fixture.png.count, HITLFixture.pdf.count])
        #expect(try job.files.map { try fixture.services.blobs.read($0.blob) } == [fixture.png, HITLFixture.pdf])
        #expect(job.clientPredictions == predictions)
        #expect(job.webhookURL == hook && job.webhookHeaders == ["X-Client": "abc"])
        let created = try #require(Timestamp.parse(job.task.createdAt))
        let expires = try #require(job.expiresAt.flatMap(Timestamp.parse))
        #expect(abs(expires.timeIntervalSince(created) - 1800) < 0.01)

        // Only the image is labeled; it is the stored file, and the job went to the project's workers.
        #expect(job.task.imageIDs.count == 1)
        let image = try #require(try fixture.services.database.read { db in try DatasetStore.image(id: job.task.imageIDs[0], on: db) })
        #expect(image.blob == job.files[0].blob && image.width == 32 && image.height == 16)
        #expect(job.task.annotatorID == (try fixture.worker("ann@hitl.io")).id)
        #expect(job.task.reviewerID == (try fixture.worker("rev@hitl.io")).id)
    }

    @Test func oneBadFileRefusesTheJobNamingThatFile() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let disguised = try fixture.server.put("disguised.png", HITLFixture.pdf)
        let document = try fixture.server.put("notes.docx", [0x50, 0x4B, 0x03, 0x04])
        let refusals: [(String, String)] = [
            (disguised, "the content is not a PNG file"),
            // Instructions may be Word files; job files may not.
            (document, "the file name must end in one of: pdf, png, jpg, jpeg"),
        ]
        for (url, reason) in refusals {
            #expect(throws: HITLError.badFile(url: url, reason: reason)) {
                try fixture.services.hitl.createJob(accountID: fixture.accountID,
                                                    JobRequest(projectID: project.id, fileURLs: [fixture.imageURL, url]))
            }
        }
        #expect(try fixture.services.hitl.jobs(accountID: fixture.accountID, projectID: project.id, page: 1, pageSize: 10).total == 0)
    }

    @Test func aMalformedJobRequestIsRefusedBeforeAnythingIsFetched() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let before = try fixture.server.requestCount()
        let image = fixture.imageURL
        let refusals: [(JobRequest, HITLError)] = [
            (JobRequest(projectID: project.id, fileURLs: []), .invalid(field: "file_urls", reason: "must list 1 to 20 URLs")),
            (JobRequest(projectID: project.id, fileURLs: Array(repeating: image, count: 21)),
             .invalid(field: "file_urls", reason: "must list 1 to 20 URLs")),
            (JobRequest(projectID: project.id, fileURLs: [image], expirationMinutes: 0),
             .invalid(field: "expiration_minutes", reason: "must be an integer from 1 to 1440")),
            (JobRequest(projectID: project.id, fileURLs: [image], expirationMinutes: 1441),
             .invalid(field: "expiration_minutes", reason: "must be an integer from 1 to 1440")),
            (JobRequest(projectID: project.id, fileURLs: [image], webhookURL: "ftp://example.com/hook"),
             .invalid(field: "webhook_url", reason: "must be an http or https URL")),
            (JobRequest(projectID: project.id, fileURLs: [image], webhookHeaders: ["X-Client": "abc"]),
             .invalid(field: "webhook_headers", reason: "need a webhook_url")),
            (JobRequest(projectID: project.id, fileURLs: [image], webhookURL: "https://example.com/hook",
                        webhookHeaders: ["X-Quarry-Event": "x"]),
             .invalid(field: "webhook_headers", reason: "'X-Quarry-Event' is not a header name Quarry can send")),
        ]
        for (request, error) in refusals {
            #expect(throws: error) { try fixture.services.hitl.createJob(accountID: fixture.accountID, request) }
        }
        #expect(try fixture.server.requestCount() == before)
    }

    @Test func aNewProjectTakesNoJobsUntilAnAdministratorActivatesIt() throws {
        let fixture = try HITLFixture()
        let project = try fixture.newProject()
        #expect(throws: HITLError.projectNotActive(id: project.id, status: .new)) { try fixture.job(in: project.id) }
        _ = try fixture.services.administration.setStatus(projectID: project.id, status: .active)
        _ = try fixture.job(in: project.id)
    }

    @Test func jobsComeBackOldestFirstInPagesWithTheTotal() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let hitl = fixture.services.hitl
        // Jobs made in the same millisecond are ordered by id.
        let ids = try (0..<3).map { _ in try fixture.read(try fixture.job(in: project.id), in: project.id) }
            .sorted { ($0.task.createdAt, $0.task.id) < ($1.task.createdAt, $1.task.id) }.map(\.task.id)
        let pages = try (1...3).map { try hitl.jobs(accountID: fixture.accountID, projectID: project.id, page: $0, pageSize: 2) }
        #expect(pages.map(\.total) == [3, 3, 3])
        #expect(pages.map { $0.jobs.map(\.task.id) } == [Array(ids[0..<2]), [ids[2]], []])
        // Another project's jobs are not in this one's pages.
        _ = try fixture.job(in: try fixture.activeProject("other").id)
        #expect(try hitl.jobs(accountID: fixture.accountID, projectID: project.id, page: 1, pageSize: 10).jobs.map(\.task.id) == ids)
    }

    @Test func aJobCancelsWhileNewOrInProgressOrReviewButNotOnceFinished() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let hitl = fixture.services.hitl
        let cancel = { (id: String) in try hitl.cancel(accountID: fixture.accountID, projectID: project.id, jobID: id) }

        let fresh = try fixture.job(in: project.id)
        let canceled = try cancel(fresh)
        #expect(canceled.task.status == .canceled && canceled.task.finishedAt != nil)
        #expect(try hitl.job(accountID: fixture.accountID, projectID: project.id, jobID: fresh).task.status == .canceled)
        #expect(throws: HITLError.cannotCancel(job: fresh, status: "canceled")) { try cancel(fresh) }

        let submitted = try fixture.job(in: project.id)
        try fixture.submit(submitted)
        #expect(try cancel(submitted).task.status == .canceled)

        let done = try fixture.job(in: project.id)
        try fixture.finish(done)
        #expect(throws: HITLError.cannotCancel(job: done, status: "done")) { try cancel(done) }
        #expect(try hitl.job(accountID: fixture.accountID, projectID: project.id, jobID: done).task.status == .done)
    }

    @Test func metricsInputHasTheAccountsProjectsOrTheOnesNamedAndTheirJobTimes() throws {
        let fixture = try HITLFixture()
        let first = try fixture.activeProject("first")
        let second = try fixture.activeProject("second")
        let finished = try fixture.job(in: first.id)
        try fixture.finish(finished)
        _ = try fixture.job(in: first.id)
        _ = try fixture.job(in: second.id)
        let hitl = fixture.services.hitl

        let all = try hitl.metricsInput(accountID: fixture.accountID, projectIDs: nil)
        #expect(Set(all.projects.map(\.id)) == [first.id, second.id])
        #expect(all.jobs.count == 3)
        let named = try hitl.metricsInput(accountID: fixture.accountID, projectIDs: [second.id, first.id])
        #expect(named.projects.map(\.name) == ["second", "first"])
        let times = try hitl.metricsInput(accountID: fixture.accountID, projectIDs: [first.id]).jobs
        #expect(times.allSatisfy { $0.projectID == first.id } && times.count == 2)
        let done = try #require(times.first { $0.status == .done })
        #expect(done.started != nil && done.finished != nil)
        #expect(throws: ProjectError.notFound("proj-unknown")) {
            try hitl.metricsInput(accountID: fixture.accountID, projectIDs: ["proj-unknown"])
        }
    }

    /// The API answers these errors with 404, so another account's ids read exactly like unknown ones.
    @Test func anotherAccountFindsNoneOfTheProjectsOrJobs() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let id = try fixture.job(in: project.id)
        let hitl = fixture.services.hitl
        let stranger = fixture.strangerID

        #expect(throws: HITLError.jobNotFound(id)) { try hitl.job(accountID: stranger, projectID: project.id, jobID: id) }
        #expect(throws: HITLError.jobNotFound(id)) { try hitl.cancel(accountID: stranger, projectID: project.id, jobID: id) }
        #expect(throws: ProjectError.notFound(project.id)) { try hitl.jobs(accountID: stranger, projectID: project.id, page: 1, pageSize: 10) }
        #expect(throws: ProjectError.notFound(project.id)) { try hitl.metricsInput(accountID: stranger, projectIDs: [project.id]) }
        #expect(throws: ProjectError.notFound(project.id)) {
            try hitl.createJob(accountID: stranger, JobRequest(projectID: project.id, fileURLs: [fixture.imageURL]))
        }
        #expect(try hitl.metricsInput(accountID: stranger, projectIDs: nil).projects.isEmpty)
        // Nor does the owner reach the job through another of its projects.
        let other = try fixture.activeProject("other")
        #expect(throws: HITLError.jobNotFound(id)) { try hitl.job(accountID: fixture.accountID, projectID: other.id, jobID: id) }
        #expect(try hitl.job(accountID: fixture.accountID, projectID: project.id, jobID: id).task.status == .new)
    }
}

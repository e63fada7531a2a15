import CUDA
import Foundation
import Imaging
import Learn
@testable import Quarry
import QuarryTesting
import Storage
import Synchronization
import Testing

/// The job runner against a real database, with import jobs as the rows: a job runs once however many
/// runners share the database, ends as its work says, stops before it starts when asked, and a restart
/// settles what was left active. Waits are on the runner's own status reports, never on time.
@Suite struct JobRunnerTests {
    /// A data directory with an account and a project, and a way to add import job rows.
    final class Fixture {
        let directory: TemporaryDirectory
        let services: Services
        let accountID: String
        let projectID: String

        init() throws {
            directory = try TemporaryDirectory("quarry-jobs")
            services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
            accountID = try services.accounts.create(name: "jobs").account.id
            projectID = try services.projects.create(accountID: accountID, name: "P").id
        }

        deinit {
            services.close()
            directory.remove()
        }

        func insert(_ id: String, status: JobStatus = .pending) throws {
            try services.database.write { db in
                try db.run("INSERT INTO import_jobs (id, account_id, project_id, source, status, created_at) VALUES (?, ?, ?, 'upload', ?, ?)",
                           [id, accountID, projectID, status.rawValue, Timestamp.now()])
            }
        }

        func row(_ id: String) throws -> (status: String, error: String?, errorType: String?, started: String?, finished: String?) {
            try services.database.read { db in
                let row = try #require(try db.queryOne("SELECT * FROM import_jobs WHERE id = ?", [id]))
                return (try row.string("status"), try row.optionalString("error"), try row.optionalString("error_type"),
                        try row.optionalString("started_at"), try row.optionalString("finished_at"))
            }
        }
    }

    @Test func aJobRunsOnceThoughTwoRunnersShareTheDatabaseAndEndsAsItsWorkSays() throws {
        let fixture = try Fixture()
        let (first, second) = (JobRunner(database: fixture.services.database, work: WorkInFlight()),
                               JobRunner(database: fixture.services.database, work: WorkInFlight()))
        let reports = JobReports(first, second, kind: .importJob)
        let performed = Atomic<Int>(0)
        let release = DispatchSemaphore(value: 0)
        try fixture.insert("shared")
        for runner in [first, second] {
            runner.submit(.importJob, id: "shared") { _ in
                performed.add(1, ordering: .relaxed)
                release.wait()
                return .completed
            }
        }
        #expect(reports.wait("shared", .running))
        release.signal()
        release.signal()
        #expect(reports.wait("shared", .completed))
        #expect(performed.load(ordering: .relaxed) == 1)
        #expect(reports.statuses(of: "shared") == [.running, .completed])
        let row = try fixture.row("shared")
        #expect(row.status == "completed" && row.error == nil && row.started != nil && row.finished != nil)

        // Work that records its results completes in their transaction; the observer still hears of it.
        try fixture.insert("recorded")
        let database = fixture.services.database
        first.submit(.importJob, id: "recorded") { context in
            try database.write { db in _ = try JobRecords.apply(.complete, to: .importJob, id: context.id, on: db) }
            return .completed
        }
        #expect(reports.wait("recorded", .completed))

        struct Broken: Error, CustomStringConvertible { var description: String { "the disk is full" } }
        try fixture.insert("failing")
        first.submit(.importJob, id: "failing") { _ in throw Broken() }
        #expect(reports.wait("failing", .failed))
        let failed = try fixture.row("failing")
        #expect(failed.error == "the disk is full" && failed.errorType == "internal")

        try fixture.insert("stopping")
        first.submit(.importJob, id: "stopping") { context in
            while !context.shouldStop { release.wait() }
            return .stopped
        }
        #expect(reports.wait("stopping", .running))
        first.requestStop(.importJob, id: "stopping")
        release.signal()
        #expect(reports.wait("stopping", .stopped))
    }

    @Test func aJobStoppedBeforeItsTurnNeverStarts() throws {
        let fixture = try Fixture()
        let runner = JobRunner(database: fixture.services.database, work: WorkInFlight())
        let reports = JobReports(runner, kind: .importJob)
        let release = DispatchSemaphore(value: 0)
        try fixture.insert("ahead")
        try fixture.insert("behind")
        // One import at a time: "behind" waits for "ahead", and is stopped meanwhile.
        runner.submit(.importJob, id: "ahead") { _ in
            release.wait()
            return .completed
        }
        #expect(reports.wait("ahead", .running))
        runner.submit(.importJob, id: "behind") { _ in
            Issue.record("a stopped job started")
            return .completed
        }
        runner.requestStop(.importJob, id: "behind")
        release.signal()
        #expect(reports.wait("behind", .stopped))
        #expect(try fixture.row("behind").started == nil)
    }

    @Test func aRestartSettlesEachKindAsItSays() throws {
        let fixture = try Fixture()
        try fixture.insert("waiting")
        try fixture.insert("going", status: .running)
        try fixture.insert("finished", status: .completed)
        try fixture.services.settleAbandonedWork(unclaimed: true)
        for id in ["waiting", "going"] {
            let row = try fixture.row(id)
            #expect(row.status == "failed" && row.error == "interrupted by a restart; start the import again" && row.finished != nil)
            #expect(row.errorType == "interrupted")
        }
        #expect(try fixture.row("finished").status == "completed")
        #expect(JobKind.run.afterRestart.event == .interrupt && JobKind.evaluation.afterRestart.event == .fail)
    }

    /// A failure's type comes from what was thrown; its message is the error's description, as it was.
    @Test func aFailureIsTypedByWhatWasThrown() {
        struct Unexpected: Error {}
        let failures: [(any Error, JobFailure.Kind)] = [
            (GPUError.outOfMemory(device: 0, requested: 1 << 30, free: 0, total: 1 << 30, message: "out of memory"), .outOfMemory),
            (GPUError.driver(call: "cuLaunchKernel", code: 719, name: "CUDA_ERROR_LAUNCH_FAILED", message: ""), .deviceError),
            (GPUUnavailable(reason: "gpu:1 is not available: this server has gpu:0"), .deviceError),
            (ImageError.corrupt("truncated"), .dataError),
            (SplitError.notFound(2), .dataError),
            (RunError.notEnoughClasses(subset: "train"), .dataError),
            (TrainingError.nonFiniteLoss(epoch: 3, batch: 7), .diverged),
            (CheckpointError.corrupt("short read"), .internal),
            (Unexpected(), .internal),
        ]
        for (error, kind) in failures {
            let failure = JobFailure(error)
            #expect(failure.kind == kind && failure.message == "\(error)", "\(error)")
        }
    }
}

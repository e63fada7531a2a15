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
/// runners share the database, ends as its work says, stops before it starts when asked, a stop reaches
/// the runner performing it, and a job whose process went away waits again to be taken over. Waits are on the runner's own status reports, never on time.
@Suite struct JobRunnerTests {
    /// A data directory with an account and a project, and a way to add import job rows.
    final class Fixture {
        let directory: TemporaryDirectory
        let services: Services
        let accountID: String
        let projectID: String

        init() throws {
            directory = try TemporaryDirectory("quarry-jobs")
            var settings = try TestDatabases.settings()
            // The tests' own runners claim the jobs they insert.
            settings.performsWork = false
            services = try Services(dataDirectory: directory.path, settings: settings)
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

    /// A runner of its own on the fixture's database, performing import jobs by `work`, claiming.
    static func runner(_ fixture: Fixture, _ work: @escaping JobRunner.Performer) throws -> JobRunner {
        let runner = JobRunner(database: fixture.services.database, work: WorkInFlight())
        runner.register(.importJob, work)
        try runner.start()
        return runner
    }

    @Test func aJobRunsOnceThoughTwoRunnersShareTheDatabaseAndEndsAsItsWorkSays() throws {
        let fixture = try Fixture()
        let performed = Mutex<[String]>([])
        let release = DispatchSemaphore(value: 0)
        struct Broken: Error, CustomStringConvertible { var description: String { "the disk is full" } }
        let database = fixture.services.database
        let work: JobRunner.Performer = { context in
            performed.withLock { $0.append(context.id) }
            switch context.id {
            case "failing": throw Broken()
            case "recorded":
                // Work that records its results completes in their transaction; the observer still hears of it.
                try database.write { db in _ = try JobRecords.apply(.complete, to: .importJob, id: context.id, on: db) }
                return .completed
            case "stopping":
                while !context.shouldStop { _ = release.wait(timeout: .now() + 0.05) }
                return .stopped
            default:
                release.wait()
                return .completed
            }
        }
        let (first, second) = (try Self.runner(fixture, work), try Self.runner(fixture, work))
        defer { first.stop(); second.stop() }
        let reports = JobReports(first, second, kind: .importJob)
        try fixture.insert("shared")
        first.submit(.importJob, id: "shared")
        second.submit(.importJob, id: "shared")
        #expect(reports.wait("shared", .running))
        release.signal()
        #expect(reports.wait("shared", .completed))
        #expect(performed.withLock { $0 } == ["shared"])
        #expect(reports.statuses(of: "shared") == [.running, .completed])
        let row = try fixture.row("shared")
        #expect(row.status == "completed" && row.error == nil && row.started != nil && row.finished != nil)

        try fixture.insert("recorded")
        first.submit(.importJob, id: "recorded")
        #expect(reports.wait("recorded", .completed))

        try fixture.insert("failing")
        second.submit(.importJob, id: "failing")
        #expect(reports.wait("failing", .failed))
        let failed = try fixture.row("failing")
        #expect(failed.error == "the disk is full" && failed.errorType == "internal")

        // Asked of both runners, whichever runs it: the stop reaches the one that does through the database.
        try fixture.insert("stopping")
        first.submit(.importJob, id: "stopping")
        #expect(reports.wait("stopping", .running))
        let holder = try fixture.services.database.read { db in
            try db.queryOne("SELECT claimed_by FROM import_jobs WHERE id = 'stopping'")?.optionalString("claimed_by")
        }
        try (holder == first.process.id ? second : first).requestStop(.importJob, id: "stopping")
        #expect(reports.wait("stopping", .stopped))
    }

    @Test func aJobStoppedBeforeItsTurnNeverStarts() throws {
        let fixture = try Fixture()
        let release = DispatchSemaphore(value: 0)
        let runner = try Self.runner(fixture) { context in
            if context.id == "behind" { Issue.record("a stopped job started") }
            release.wait()
            return .completed
        }
        defer { runner.stop() }
        let reports = JobReports(runner, kind: .importJob)
        // One import at a time: "behind" waits for "ahead", and is stopped meanwhile.
        try fixture.insert("ahead")
        runner.submit(.importJob, id: "ahead")
        #expect(reports.wait("ahead", .running))
        try fixture.insert("behind")
        try runner.requestStop(.importJob, id: "behind")
        release.signal()
        #expect(reports.wait("behind", .stopped))
        #expect(reports.wait("ahead", .completed))
        #expect(try fixture.row("behind").started == nil)
    }

    /// A running job whose process went away waits again for another to take it over, until it has been
    /// taken `JobKind.maximumAttempts` times; waiting and finished jobs are left as they are.
    @Test func aJobWhoseProcessWentAwayWaitsAgainUntilItsLastAttempt() throws {
        let fixture = try Fixture()
        try fixture.insert("waiting")
        try fixture.insert("going", status: .running)
        try fixture.insert("worn", status: .running)
        try fixture.insert("finished", status: .completed)
        try fixture.services.database.write { db in
            try db.run("UPDATE import_jobs SET attempts = 1 WHERE id = 'going'")
            try db.run("UPDATE import_jobs SET attempts = ? WHERE id = 'worn'", [JobKind.maximumAttempts])
        }
        #expect(try fixture.services.settleAbandonedWork(unclaimed: true) == 2)
        #expect(try fixture.row("waiting").status == "pending" && fixture.row("going").status == "pending")
        let worn = try fixture.row("worn")
        #expect(worn.status == "failed" && worn.errorType == "interrupted" && worn.finished != nil)
        #expect(worn.error == "the process performing it went away 3 times; start the import again")
        #expect(try fixture.row("finished").status == "completed")
        #expect(JobKind.run.afterLastAttempt.event == .interrupt && JobKind.evaluation.afterLastAttempt.event == .fail)

        // Taken over: claimed again, one attempt more. Heard from before the runner starts, as the jobs wait already.
        let runner = JobRunner(database: fixture.services.database, work: WorkInFlight())
        runner.register(.importJob) { _ in .completed }
        let reports = JobReports(runner, kind: .importJob)
        try runner.start()
        defer { runner.stop() }
        #expect(reports.wait("going", .completed) && reports.wait("waiting", .completed))
        let attempts = try fixture.services.database.read { db in
            try db.queryOne("SELECT attempts FROM import_jobs WHERE id = 'going'")?.int("attempts")
        }
        #expect(attempts == 2)
    }

    @Test func aProcessTakesOnlyWorkForDevicesItHas() {
        let server = WorkDevices.local(gpus: 2)
        #expect(server.names == ["cpu", "gpu:0", "gpu:1"])
        #expect(server.accepts(nil) && server.accepts("cpu") && server.accepts("gpu:1") && server.accepts("gpu:0,gpu:1"))
        #expect(!server.accepts("gpu:2") && !server.accepts("gpu:1,gpu:2"))
        let worker = WorkDevices(names: ["gpu:0"])
        #expect(worker.accepts("gpu:0") && !worker.accepts(nil) && !worker.accepts("cpu"), "a GPU worker takes no CPU work")
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

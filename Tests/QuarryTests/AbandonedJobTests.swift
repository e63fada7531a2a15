import Foundation
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// Processes sharing a database settle each other's jobs only once the holder has gone: it left, its
/// heart stopped for `ProcessRegistry.silence`, or it ran on this host and its pid is dead. A live
/// process's jobs are left alone, whoever starts.
@Suite struct AbandonedJobTests {
    private typealias Fixture = JobRunnerTests.Fixture

    /// A second process's runner on the fixture's database, joined, holding `id` as a running import.
    private func held(_ id: String, in fixture: Fixture) throws -> JobRunner {
        let holder = JobRunner(database: fixture.services.database, work: WorkInFlight())
        try holder.process.join()
        try fixture.insert(id, status: .running)
        try fixture.services.database.write { db in try db.run("UPDATE import_jobs SET claimed_by = ? WHERE id = ?", [holder.process.id, id]) }
        return holder
    }

    /// The fixture's own process, joined, settling what others abandoned.
    private func settle(_ fixture: Fixture, unclaimed: Bool = false) throws -> Int {
        try fixture.services.jobs.process.join()
        return try fixture.services.settleAbandonedWork(unclaimed: unclaimed)
    }

    @Test func aLiveProcesssJobsAreLeftAloneEvenByAProcessStarting() throws {
        let fixture = try Fixture()
        let holder = try held("busy", in: fixture)
        try holder.process.beat()
        #expect(try settle(fixture, unclaimed: true) == 0)
        #expect(try fixture.row("busy").status == "running")
    }

    @Test func aProcessThatLeftHasItsJobsSettledAtOnce() throws {
        let fixture = try Fixture()
        let holder = try held("left", in: fixture)
        try holder.process.leave()
        #expect(try settle(fixture) == 1)
        #expect(try fixture.row("left").status == "pending", "waiting for another process to take it over")
    }

    @Test func aProcessWhoseHeartStoppedIsTakenForDeadAndForgotten() throws {
        let fixture = try Fixture()
        let holder = try held("stalled", in: fixture)
        // Another host's process, silent for longer than the bound.
        let stale = Timestamp.format(Date().addingTimeInterval(-ProcessRegistry.silence.seconds - 5))
        try fixture.services.database.write { db in
            try db.run("UPDATE processes SET host = 'elsewhere', heartbeat_at = ? WHERE id = ?", [stale, holder.process.id])
        }
        #expect(try settle(fixture) == 1)
        #expect(try fixture.row("stalled").status == "pending")
        let rows = try fixture.services.database.read { db in
            try db.queryOne("SELECT COUNT(*) AS n FROM processes WHERE id = ?", [holder.process.id])?.int("n")
        }
        #expect(rows == 0)
        // Its heart beats again (it was only cut off): it joins again, its settled job stays settled.
        try holder.process.beat()
        #expect(try settle(fixture) == 0)
    }

    @Test func aCrashedProcessOnThisHostIsKnownByItsPid() throws {
        let fixture = try Fixture()
        let holder = try held("crashed", in: fixture)
        // A pid no process has: the heart beat a moment ago, but the process is gone.
        try fixture.services.database.write { db in
            try db.run("UPDATE processes SET pid = ? WHERE id = ?", [Int(Int32.max), holder.process.id])
        }
        #expect(try settle(fixture) == 1)
        #expect(try fixture.row("crashed").status == "pending")
    }

    @Test func aJobIsClaimedByTheProcessPerformingIt() throws {
        let fixture = try Fixture()
        let runner = try JobRunnerTests.runner(fixture) { _ in .completed }
        defer { runner.stop() }
        let reports = JobReports(runner, kind: .importJob)
        try fixture.insert("mine")
        runner.submit(.importJob, id: "mine")
        #expect(reports.wait("mine", .completed))
        let claimer = try fixture.services.database.read { db in
            try db.queryOne("SELECT claimed_by FROM import_jobs WHERE id = 'mine'")?.optionalString("claimed_by")
        }
        #expect(claimer == runner.process.id)
    }
}

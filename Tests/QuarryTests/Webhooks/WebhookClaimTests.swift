import Foundation
@testable import Quarry
import Storage
import Testing

/// Processes sharing a database all dispatch webhooks: each attempt is claimed first, so one process
/// makes it, and a claim whose process died lapses so that another tries again.
@Suite struct WebhookClaimTests {
    @Test func aDueDeliveryIsClaimedOnceUntilItsClaimLapses() throws {
        let fixture = try HITLFixture()
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        let delivery = try #require(try fixture.deliveries(id).first).id
        let claim = { (until: Date) in
            try fixture.services.database.write { db in try WebhookOutbox.claim(id: delivery, by: "a process", until: until, on: db) }
        }
        let first = try #require(try claim(Date().addingTimeInterval(120)))
        #expect(try first.string("id") == delivery)
        // Another process asking now finds it taken.
        #expect(try claim(Date().addingTimeInterval(120)) == nil)
        // The claimer died: once its claim has passed, the delivery is due again and another takes it.
        try fixture.services.database.write { db in
            _ = try db.run("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?",
                           [Timestamp.format(Date().addingTimeInterval(-1)), delivery])
        }
        #expect(try claim(Date().addingTimeInterval(120)) != nil)
    }

    @Test func twoDispatchersOnOneDatabaseMakeOneAttempt() throws {
        let fixture = try HITLFixture()
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        let works = [WorkInFlight(), WorkInFlight()]
        let dispatchers = works.enumerated().map { index, work in
            WebhookDispatcher(database: fixture.services.database, fetcher: Fetcher(policy: fixture.services.settings.addressPolicy),
                              settings: fixture.services.settings.webhooks, work: work, process: "process-\(index)")
        }
        // Both look for due deliveries, as two processes would; the second may already find it claimed.
        let started = dispatchers.map { $0.dispatchDue() }
        #expect(started.first == 1)
        _ = try fixture.server.hook(0)
        for work in works { #expect(work.close(waitingUntil: .now() + 60), "the attempts did not finish") }

        let delivered = try #require(try fixture.deliveries(id).first)
        #expect(delivered.status == "delivered")
        #expect(delivered.attempts.map(\.attempt) == [1], "one POST, recorded once")
    }

    @Test func aClaimOfAProcessThatWentIsLetGoAtOnce() throws {
        let fixture = try HITLFixture()
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        let delivery = try #require(try fixture.deliveries(id).first).id
        let holder = ProcessRegistry(database: fixture.services.database, role: .serve, devices: .local(gpus: 0))
        try holder.join()
        let claimed = try fixture.services.database.write { db in
            try WebhookOutbox.claim(id: delivery, by: holder.id, until: Date().addingTimeInterval(3600), on: db)
        }
        #expect(claimed != nil)
        // Its process is killed mid-attempt and leaves no heartbeat behind: another lets the claim go.
        try holder.leave()
        try fixture.services.jobs.process.join()
        try fixture.services.settleAbandonedWork(unclaimed: false)
        #expect(try fixture.deliverDue() == 1)
        #expect(try fixture.deliveries(id).first?.status == "delivered")
    }
}

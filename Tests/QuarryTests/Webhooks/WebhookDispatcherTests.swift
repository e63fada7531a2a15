import Crypto
import Foundation
@testable import Quarry
import Storage
import Testing

/// The webhook outbox and `WebhookDispatcher`: a job that reaches a reporting status queues one
/// delivery in the same transaction, and delivery POSTs the rendered body, signed, to a receiver that
/// records it, retrying with backoff until it is accepted or given up, every attempt recorded.
@Suite struct WebhookDispatcherTests {
    @Test func approvingAJobWithAWebhookQueuesExactlyOneDelivery() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let id = try fixture.job(in: project.id, webhook: true)
        try fixture.submit(id)
        #expect(try fixture.deliveries(id).isEmpty)
        try fixture.approve(id)

        let deliveries = try fixture.deliveries(id)
        #expect(deliveries.count == 1)
        let delivery = try #require(deliveries.first)
        #expect(delivery.jobID == id && delivery.event == "job.done" && delivery.url == fixture.server.url("/hook"))
        #expect(delivery.status == "pending" && delivery.attempts.isEmpty && delivery.nextAttemptAt != nil)
        #expect(try fixture.services.webhookDeliveries(accountID: fixture.strangerID, jobID: id).isEmpty)
    }

    @Test func deliveryPostsTheRenderedBodySignedWithTheAccountsSecret() throws {
        let fixture = try HITLFixture()
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        let queued = try #require(try fixture.deliveries(id).first)
        #expect(try fixture.deliverDue() == 1)

        let hook = try fixture.server.hook(0)
        #expect(hook.body == Array("\(id) done \(HITLFixture.publicURL)".utf8))
        let secret = try #require(Hex.decode(try fixture.services.webhookSecret(accountID: fixture.accountID)))
        #expect(hook.headers["x-quarry-signature"] == "sha256=" + Hex.encode(HMAC.sha256(key: secret, message: hook.body)))
        #expect(hook.headers["x-quarry-delivery"] == queued.id)
        #expect(hook.headers["x-quarry-event"] == "job.done")
        #expect(hook.headers["content-type"] == "application/json")
        #expect(hook.headers["x-client"] == "abc")

        let delivered = try #require(try fixture.deliveries(id).first)
        #expect(delivered.status == "delivered" && delivered.deliveredAt != nil && delivered.nextAttemptAt == nil)
        #expect(delivered.attempts.map(\.attempt) == [1] && delivered.attempts.map(\.statusCode) == [200])
        #expect(delivered.attempts[0].error == nil && delivered.lastError == nil)
        #expect(try fixture.deliverDue() == 0)
    }

    @Test func anExpiredJobQueuesItsReportAndTheSweepStartsDelivering() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let reported = try fixture.job(in: project.id, webhook: true, expirationMinutes: 1)
        let silent = try fixture.job(in: project.id, expirationMinutes: 1)
        try fixture.backdateExpiry(reported)
        try fixture.backdateExpiry(silent)

        #expect(try fixture.services.expireJobs() == 2)
        for id in [reported, silent] {
            #expect(try fixture.read(id, in: project.id).task.status == .expired)
        }
        #expect(try fixture.deliveries(reported).map(\.event) == ["job.expired"])
        #expect(try fixture.deliveries(silent).isEmpty)
        // `expireJobs` dispatches what it queued without waiting for the next round.
        let hook = try fixture.server.hook(0)
        #expect(hook.headers["x-quarry-event"] == "job.expired")
        #expect(hook.body == Array("\(reported) expired \(HITLFixture.publicURL)".utf8))
    }

    @Test func aFailedAttemptIsRetriedOnlyAfterItsBackoff() throws {
        let fixture = try HITLFixture { $0.webhooks.firstRetryDelay = .seconds(60) }
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        try fixture.server.answerHooks([500])
        let before = Date()
        #expect(try fixture.deliverDue() == 1)
        let after = Date()

        let delivery = try #require(try fixture.deliveries(id).first)
        #expect(delivery.status == "pending" && delivery.attempts.map(\.statusCode) == [500])
        #expect(delivery.attempts[0].error == "the receiver answered HTTP 500" && delivery.lastError == "the receiver answered HTTP 500")
        // 60 s ±20% jitter; stored to the millisecond.
        let next = try #require(delivery.nextAttemptAt.flatMap(Timestamp.parse))
        #expect(next >= before.addingTimeInterval(48 - 0.01) && next <= after.addingTimeInterval(72))
        #expect(try fixture.deliverDue() == 0)
    }

    @Test func eachRetryWaitsTwiceAsLongWithJitterUpToTheLongestDelay() throws {
        try withServices("quarry-webhooks") { services in
            var settings = WebhookSettings()
            settings.firstRetryDelay = .seconds(10)
            settings.maxDelay = .seconds(60)
            let dispatcher = WebhookDispatcher(database: services.database, fetcher: Fetcher(policy: .publicOnly), settings: settings,
                                               work: WorkInFlight(), process: "backoff")
            for (attempt, base) in [(1, 10.0), (2, 20), (3, 40), (4, 60), (60, 60)] {
                let delays = (0..<50).map { _ in dispatcher.delay(afterAttempt: attempt) }
                #expect(delays.allSatisfy { (base * 0.8...base * 1.2).contains($0) }, "attempt \(attempt): \(delays)")
            }
        }
    }

    @Test func retriesSendTheSameDeliveryAndGiveUpAfterTheLastAttempt() throws {
        let fixture = try HITLFixture {
            $0.webhooks.firstRetryDelay = .zero
            $0.webhooks.maxAttempts = 3
        }
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        let queued = try #require(try fixture.deliveries(id).first)
        try fixture.server.answerHooks([500, 500, 500])
        for _ in 0..<3 { #expect(try fixture.deliverDue() == 1) }
        #expect(try fixture.deliverDue() == 0)

        let hooks = try (0..<3).map { try fixture.server.hook($0) }
        #expect(Set(hooks.map { $0.headers["x-quarry-delivery"] }) == [queued.id])
        #expect(Set(hooks.map(\.body)).count == 1 && Set(hooks.map { $0.headers["x-quarry-signature"] }).count == 1)
        let failed = try #require(try fixture.deliveries(id).first)
        #expect(failed.status == "failed" && failed.nextAttemptAt == nil && failed.deliveredAt == nil)
        #expect(failed.attempts.map(\.attempt) == [1, 2, 3] && failed.attempts.map(\.statusCode) == [500, 500, 500])
        #expect(failed.lastError == "the receiver answered HTTP 500")
    }

    @Test func aDeliveryIsGivenUpOnceItsNextAttemptWouldFallPastTheRetryPeriod() throws {
        let fixture = try HITLFixture {
            $0.webhooks.firstRetryDelay = .seconds(1)
            $0.webhooks.retryPeriod = .zero
        }
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        try fixture.server.answerHooks([503])
        #expect(try fixture.deliverDue() == 1)
        let failed = try #require(try fixture.deliveries(id).first)
        #expect(failed.status == "failed" && failed.attempts.map(\.statusCode) == [503])
    }

    @Test func aReceiverThatRecoversGetsTheDeliveryOnTheNextAttempt() throws {
        let fixture = try HITLFixture { $0.webhooks.firstRetryDelay = .zero }
        let id = try fixture.job(in: try fixture.activeProject().id, webhook: true)
        try fixture.finish(id)
        try fixture.server.answerHooks([500])
        #expect(try fixture.deliverDue() == 1)
        #expect(try fixture.deliverDue() == 1)

        let delivered = try #require(try fixture.deliveries(id).first)
        #expect(delivered.status == "delivered" && delivered.lastError == nil && delivered.deliveredAt != nil)
        #expect(delivered.attempts.map(\.statusCode) == [500, 200])
        #expect(try fixture.server.hook(0).body == (try fixture.server.hook(1)).body)
    }

    @Test func cancelingOrFinishingAJobWithoutAWebhookQueuesNothing() throws {
        let fixture = try HITLFixture()
        let project = try fixture.activeProject()
        let canceled = try fixture.job(in: project.id, webhook: true)
        _ = try fixture.services.hitl.cancel(accountID: fixture.accountID, projectID: project.id, jobID: canceled)
        try fixture.finish(try fixture.job(in: project.id))
        #expect(try fixture.services.webhookDeliveries(accountID: fixture.accountID, jobID: nil).isEmpty)
        #expect(try fixture.deliverDue() == 0)
    }

    /// Without a body the report would go out empty; the status change fails instead, so it can be retried once configured.
    @Test func aJobThatReportsWithNoWebhookBodyConfiguredKeepsItsStatus() throws {
        let fixture = try HITLFixture { $0.webhookBody = nil }
        let project = try fixture.activeProject()
        let approved = try fixture.job(in: project.id, webhook: true)
        try fixture.submit(approved)
        #expect(throws: WebhookBodyMissing.self) { try fixture.approve(approved) }
        let expiring = try fixture.job(in: project.id, webhook: true, expirationMinutes: 1)
        try fixture.backdateExpiry(expiring)
        #expect(throws: WebhookBodyMissing.self) { try fixture.services.expireJobs() }

        let status = { (id: String) in try fixture.read(id, in: project.id).task.status }
        #expect(try status(approved) == .review && status(expiring) == .new)
        #expect(try fixture.services.webhookDeliveries(accountID: fixture.accountID, jobID: nil).isEmpty)
        // A job with no webhook needs no body.
        let silent = try fixture.job(in: project.id)
        try fixture.finish(silent)
        #expect(try status(silent) == .done)
    }

    @Test func aBodyThatFailsToRenderRollsBackTheStatusChange() throws {
        struct RenderFailure: Error {}
        let fixture = try HITLFixture { $0.webhookBody = { _, _ in throw RenderFailure() } }
        let project = try fixture.activeProject()
        let id = try fixture.job(in: project.id, webhook: true)
        try fixture.submit(id)
        #expect(throws: RenderFailure.self) { try fixture.approve(id) }
        #expect(try fixture.read(id, in: project.id).task.status == .review)
        #expect(try fixture.deliveries(id).isEmpty)
    }
}

import Crypto
import Foundation
import Storage
import Synchronization

/// Retry policy for webhook deliveries.
public struct WebhookSettings: Sendable {
    /// Delay before the second attempt; each later one doubles it (±20% jitter), up to `maxDelay`.
    public var firstRetryDelay: Duration = .seconds(10)
    public var maxDelay: Duration = .seconds(3600)
    /// A delivery is given up once this long has passed since it was queued, or after `maxAttempts`.
    public var retryPeriod: Duration = .seconds(24 * 3600)
    public var maxAttempts = 20
    /// Deliveries in flight at once.
    public var concurrency = 4
    /// How long a process's claim on a delivery keeps the others sharing its database off it: longer
    /// than one attempt may take (a download's total time, 60 s). A claim outlives a process that dies
    /// mid-attempt by this much, and then another process attempts the delivery again.
    public var claim: Duration = .seconds(120)

    public init() {}
}

/// Delivers queued webhooks: POST of the job status object with the caller's headers, plus
/// `X-Quarry-Signature: sha256=<HMAC-SHA256 of the body under the account's secret>`,
/// `X-Quarry-Delivery` (the same id on every retry, so receivers can drop duplicates) and
/// `X-Quarry-Event`. Any 2xx is success; anything else is retried with backoff. Every attempt is
/// recorded. Delivery is at least once: a crash between a receiver's 2xx and our record of it
/// means one more delivery with the same id. Processes sharing a database each dispatch, and each
/// attempt is claimed first (`WebhookOutbox.claim`), so only one of them makes it.
public final class WebhookDispatcher: Sendable {
    private let database: any Database
    private let fetcher: Fetcher
    private let settings: WebhookSettings
    private let inFlight = Mutex<Set<String>>([])
    private let pool: DispatchQueue
    private let slots: DispatchSemaphore
    private let work: WorkInFlight
    /// This process's id among those sharing the database (`ProcessRegistry`), on the deliveries it claims.
    private let process: String

    init(database: any Database, fetcher: Fetcher, settings: WebhookSettings, work: WorkInFlight, process: String) {
        self.work = work
        self.process = process
        self.database = database
        self.fetcher = fetcher
        self.settings = settings
        pool = DispatchQueue(label: "quarry.webhooks", attributes: .concurrent)
        slots = DispatchSemaphore(value: settings.concurrency)
    }

    /// Starts deliveries that are due and not already running; returns how many it started.
    @discardableResult
    public func dispatchDue() -> Int {
        let due = (try? database.read { db in try WebhookOutbox.due(limit: 64, on: db) }) ?? []
        let started = inFlight.withLock { running in
            let fresh = due.filter { !running.contains($0) }
            running.formUnion(fresh)
            return fresh
        }
        for id in started {
            work.async(on: pool) { [self] in
                slots.wait()
                defer {
                    slots.signal()
                    _ = inFlight.withLock { $0.remove(id) }
                }
                // Left pending for the next start once shutdown begins.
                guard !work.isClosing else { return }
                attempt(id)
            }
        }
        return started.count
    }

    private func attempt(_ id: String) {
        guard let delivery = try? database.write({ db -> (row: Row, secret: [UInt8])? in
            guard let row = try WebhookOutbox.claim(id: id, by: process, until: Date().addingTimeInterval(settings.claim.seconds), on: db) else {
                return nil
            }
            return (row, try WebhookOutbox.secret(accountID: try row.string("account_id"), on: db))
        }) else { return }
        do {
            let row = delivery.row
            let body = try row.blob("body")
            var headers = (try JSONDecoder().decode([String: String].self, from: Data(try row.string("headers").utf8)))
                .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            headers += [("Content-Type", "application/json"),
                        ("X-Quarry-Signature", "sha256=" + Hex.encode(HMAC.sha256(key: delivery.secret, message: body))),
                        ("X-Quarry-Delivery", id), ("X-Quarry-Event", try row.string("event"))]
            let started = Date()
            var statusCode: Int?
            var failure: String?
            let url = try row.string("url")
            do throws(FetchError) {
                let answer = try fetcher.post(url, headers: headers, body: body)
                statusCode = answer.status
                if !(200..<300).contains(answer.status) { failure = "the receiver answered HTTP \(answer.status)" }
            } catch {
                failure = error.description
            }
            try record(id: id, attempts: try row.int("attempts") + 1, createdAt: try row.string("created_at"), started: started,
                       statusCode: statusCode, failure: failure)
        } catch {
            // The row itself could not be read or written; it stays pending and the next run retries.
            return
        }
    }

    private func record(id: String, attempts: Int, createdAt: String, started: Date, statusCode: Int?, failure: String?) throws {
        let now = Date()
        let duration = Int(now.timeIntervalSince(started) * 1000)
        try database.write { db in
            try WebhookOutbox.recordAttempt(deliveryID: id, attempt: attempts, at: started, statusCode: statusCode, error: failure,
                                            milliseconds: duration, on: db)
            guard let failure else {
                try WebhookOutbox.delivered(id: id, attempts: attempts, at: now, on: db)
                return
            }
            let age = now.timeIntervalSince(Timestamp.parse(createdAt) ?? now)
            let next = now.addingTimeInterval(delay(afterAttempt: attempts))
            let givingUp = attempts >= settings.maxAttempts || next.timeIntervalSince(now) + age > settings.retryPeriod.seconds
            try WebhookOutbox.failedAttempt(id: id, attempts: attempts, next: next, givingUp: givingUp, error: failure, on: db)
        }
    }

    /// Exponential backoff with ±20% jitter, so receivers that failed together are not retried in lockstep.
    func delay(afterAttempt attempt: Int) -> TimeInterval {
        let base = settings.firstRetryDelay.seconds * pow(2, Double(min(attempt - 1, 30)))
        return min(base, settings.maxDelay.seconds) * Double.random(in: 0.8...1.2)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

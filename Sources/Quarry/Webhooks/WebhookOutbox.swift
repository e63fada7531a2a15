import Crypto
import Foundation
import Storage

/// The transactional outbox: a job's terminal change and the webhook row that reports it are
/// written in one transaction, so a committed change always has its delivery, and a rolled-back
/// one never does. The dispatcher delivers rows later, also after a restart.
struct WebhookOutbox: Sendable {
    /// Where the URLs inside webhook bodies point: the same base the job's polls show.
    let links: JobLinks
    /// How a report reads; nil where no job can report (some tools and tests).
    let body: WebhookBody?

    /// Events that fire a webhook. Cancelation does not: the client asked for it.
    static func event(for status: TaskStatus) -> String? {
        switch status {
        case .done: "job.done"
        case .error: "job.error"
        case .expired: "job.expired"
        default: nil
        }
    }

    /// Queues a delivery if the job has a webhook and `task` just reached a status that reports.
    func enqueue(taskID: String, on db: any Connection) throws {
        guard let job = try HITLStore.job(id: taskID, on: db), let url = job.webhookURL,
              let event = Self.event(for: job.task.status) else { return }
        guard let render = self.body else { throw WebhookBodyMissing() }
        let body = try render(job, links.base(for: job))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let headers = String(decoding: try encoder.encode(job.webhookHeaders), as: UTF8.self)
        let now = Timestamp.now()
        try db.run("""
            INSERT INTO webhook_deliveries (id, account_id, task_id, event, url, headers, body, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """, [ID.make("whd"), job.accountID, taskID, event, url, headers, body, now, now])
    }

    /// The account's signing secret, made on first use.
    /// Pending deliveries whose next attempt is due, soonest first.
    static func due(limit: Int, on db: any Connection) throws -> [String] {
        try db.query("SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                     [Timestamp.now(), limit]).map { try $0.string("id") }
    }

    /// Takes delivery `id` for one attempt when it is pending and due, and answers its row: its next
    /// attempt moves to `until`, so no other process (sharing the database) attempts it meanwhile, and
    /// should this one die mid-attempt, another tries again once `until` has passed. Nil when it is not
    /// due (another process took it, or it was delivered).
    static func claim(id: String, by process: String, until: Date, on db: any Connection) throws -> Row? {
        let now = Timestamp.now()
        guard try db.run("""
            UPDATE webhook_deliveries SET next_attempt_at = ?, claimed_by = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?
            """, [Timestamp.format(until), process, id, now]) == 1 else { return nil }
        return try db.queryOne("SELECT * FROM webhook_deliveries WHERE id = ?", [id])
    }

    /// Lets go of the deliveries `departed` processes were attempting, due again now; how many.
    @discardableResult
    static func release(claimedBy departed: [String], on db: any Connection) throws -> Int {
        guard !departed.isEmpty else { return 0 }
        return try db.run("""
            UPDATE webhook_deliveries SET next_attempt_at = ?, claimed_by = NULL
            WHERE status = 'pending' AND claimed_by IN (\(departed.map { _ in "?" }.joined(separator: ", ")))
            """, [Timestamp.now()] + departed)
    }

    static func recordAttempt(deliveryID: String, attempt: Int, at started: Date, statusCode: Int?, error: String?, milliseconds: Int,
                              on db: any Connection) throws {
        try db.run("INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)",
                   [deliveryID, attempt, Timestamp.format(started), statusCode, error, milliseconds])
    }

    static func delivered(id: String, attempts: Int, at now: Date, on db: any Connection) throws {
        try db.run("UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE id = ?",
                   [attempts, Timestamp.format(now), id])
    }

    /// After a failed attempt: pending again at `next`, or failed for good when `givingUp`.
    static func failedAttempt(id: String, attempts: Int, next: Date, givingUp: Bool, error: String, on db: any Connection) throws {
        try db.run("UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, claimed_by = NULL WHERE id = ?",
                   [givingUp ? "failed" : "pending", attempts, Timestamp.format(next), error, id])
    }

    static func secret(accountID: String, on db: any Connection) throws -> [UInt8] {
        if let row = try db.queryOne("SELECT webhook_secret FROM account_secrets WHERE account_id = ?", [accountID]) {
            return try row.blob("webhook_secret")
        }
        let secret = SecureRandom.bytes(32)
        try db.run("INSERT INTO account_secrets (account_id, webhook_secret) VALUES (?, ?)", [accountID, secret])
        return secret
    }
}

import Crypto
import Foundation
import Storage

/// The transactional outbox: a job's terminal change and the webhook row that reports it are
/// written in one transaction, so a committed change always has its delivery, and a rolled-back
/// one never does. The dispatcher delivers rows later, also after a restart.
enum WebhookOutbox {
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
    static func enqueue(taskID: String, baseURL: String, on db: Connection) throws {
        guard let job = try HITLStore.job(id: taskID, on: db), let url = job.webhookURL,
              let event = event(for: job.task.status) else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = try encoder.encode(JobStatusDocument(job, baseURL: baseURL))
        let headers = String(decoding: try encoder.encode(job.webhookHeaders), as: UTF8.self)
        let now = Timestamp.now()
        try db.run("""
            INSERT INTO webhook_deliveries (id, account_id, task_id, event, url, headers, body, status, next_attempt_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """, [ID.make("whd"), job.accountID, taskID, event, url, headers, [UInt8](body), now, now])
    }

    /// The account's signing secret, made on first use.
    static func secret(accountID: String, on db: Connection) throws -> [UInt8] {
        if let row = try db.queryOne("SELECT webhook_secret FROM account_secrets WHERE account_id = ?", [accountID]) {
            return try row.blob("webhook_secret")
        }
        let secret = SecureRandom.bytes(32)
        try db.run("INSERT INTO account_secrets (account_id, webhook_secret) VALUES (?, ?)", [accountID, secret])
        return secret
    }
}

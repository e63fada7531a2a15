import Foundation
import Storage

/// A queued webhook and its attempts, as the account sees them.
public struct WebhookDelivery: Sendable, Encodable {
    public struct Attempt: Sendable, Encodable {
        public let attempt: Int
        public let at: String
        public let status_code: Int?
        public let error: String?
        public let duration_ms: Int
    }

    public let id: String
    public let job_id: String
    public let event: String
    public let url: String
    /// `pending` (waiting for its next attempt), `delivered`, or `failed` (gave up).
    public let status: String
    public let attempts: [Attempt]
    public let next_attempt_at: String?
    public let created_at: String
    public let delivered_at: String?
    public let last_error: String?
}

extension WebhookDelivery {
    static func list(accountID: String, jobID: String?, on db: Connection) throws -> [WebhookDelivery] {
        var sql = "SELECT * FROM webhook_deliveries WHERE account_id = ?"
        var arguments: [any SQLConvertible] = [accountID]
        if let jobID {
            sql += " AND task_id = ?"
            arguments.append(jobID)
        }
        return try db.query(sql + " ORDER BY created_at, id LIMIT 1000", arguments).map { row in
            let id = try row.string("id")
            let attempts = try db.query("SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt", [id]).map { a in
                Attempt(attempt: try a.int("attempt"), at: try a.string("at"), status_code: try a.optionalInt("status_code"),
                        error: try a.optionalString("error"), duration_ms: try a.int("duration_ms"))
            }
            let status = try row.string("status")
            return WebhookDelivery(id: id, job_id: try row.string("task_id"), event: try row.string("event"), url: try row.string("url"),
                                   status: status, attempts: attempts,
                                   next_attempt_at: status == "pending" ? try row.string("next_attempt_at") : nil,
                                   created_at: try row.string("created_at"), delivered_at: try row.optionalString("delivered_at"),
                                   last_error: try row.optionalString("last_error"))
        }
    }
}

import Foundation
import Storage

/// A queued webhook and its attempts, as the account sees them.
public struct WebhookDelivery: Sendable {
    public struct Attempt: Sendable {
        public let attempt: Int
        public let at: String
        public let statusCode: Int?
        public let error: String?
        public let durationMilliseconds: Int
    }

    public let id: String
    public let jobID: String
    public let event: String
    public let url: String
    /// `pending` (waiting for its next attempt), `delivered`, or `failed` (gave up).
    public let status: String
    public let attempts: [Attempt]
    public let nextAttemptAt: String?
    public let createdAt: String
    public let deliveredAt: String?
    public let lastError: String?
}

extension WebhookDelivery {
    static func list(accountID: String, jobID: String?, on db: any Connection) throws -> [WebhookDelivery] {
        var sql = "SELECT * FROM webhook_deliveries WHERE account_id = ?"
        var arguments: [any SQLConvertible] = [accountID]
        if let jobID {
            sql += " AND task_id = ?"
            arguments.append(jobID)
        }
        return try db.query(sql + " ORDER BY created_at, id LIMIT 1000", arguments).map { row in
            let id = try row.string("id")
            let attempts = try db.query("SELECT * FROM webhook_attempts WHERE delivery_id = ? ORDER BY attempt", [id]).map { a in
                Attempt(attempt: try a.int("attempt"), at: try a.string("at"), statusCode: try a.optionalInt("status_code"),
                        error: try a.optionalString("error"), durationMilliseconds: try a.int("duration_ms"))
            }
            let status = try row.string("status")
            return WebhookDelivery(id: id, jobID: try row.string("task_id"), event: try row.string("event"), url: try row.string("url"),
                                   status: status, attempts: attempts,
                                   nextAttemptAt: status == "pending" ? try row.string("next_attempt_at") : nil,
                                   createdAt: try row.string("created_at"), deliveredAt: try row.optionalString("delivered_at"),
                                   lastError: try row.optionalString("last_error"))
        }
    }
}

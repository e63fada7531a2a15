import Crypto
import Foundation
import Storage

/// Dashboard sessions: the API key is posted once and exchanged for a random secret in an HttpOnly
/// cookie, which image tags and EventSource (neither can send an Authorization header) carry.
/// Stored as a SHA-256, as worker sessions are (WorkerService+Sessions).
extension AccountService {
    public static let sessionLifetime: Duration = .seconds(12 * 3600)

    public func startSession(key: String) throws -> (account: Account, secret: String)? {
        guard let account = try authenticate(key: key) else { return nil }
        let secret = SecureRandom.hex(bytes: 32)
        let expires = Timestamp.format(Date().addingTimeInterval(Double(Self.sessionLifetime.components.seconds)))
        try database.write { db in
            try db.run("DELETE FROM account_sessions WHERE expires_at < ?", [Timestamp.now()])
            try db.run("INSERT INTO account_sessions (hash, account_id, expires_at) VALUES (?, ?, ?)",
                       [SHA256.hash(Array(secret.utf8)), account.id, expires])
        }
        return (account, secret)
    }

    public func account(session secret: String) throws -> Account? {
        guard secret.utf8.count == 64 else { return nil }
        return try database.read { db in
            guard let row = try db.queryOne("SELECT account_id FROM account_sessions WHERE hash = ? AND expires_at > ?",
                                            [SHA256.hash(Array(secret.utf8)), Timestamp.now()]) else { return nil }
            return try AccountStore.find(try row.string("account_id"), on: db)
        }
    }

    public func endSession(_ secret: String) throws {
        try database.write { db in try db.run("DELETE FROM account_sessions WHERE hash = ?", [SHA256.hash(Array(secret.utf8))]) }
    }
}

import Crypto
import Foundation
import Storage

/// Browser sessions behind an HttpOnly cookie (the workbench's for workers, the dashboard's for
/// accounts): a random 256-bit secret, of which only the SHA-256 is stored, with its owner and an expiry.
/// 256 random bits cannot be guessed, so a plain lookup by hash leaks nothing a constant-time comparison
/// would protect.
struct BrowserSessions: Sendable {
    /// `worker_sessions` or `account_sessions`, with `hash`, `expires_at` and the `owner` column.
    let table: String
    let owner: String

    static let lifetime: Duration = .seconds(12 * 3600)
    static let workers = BrowserSessions(table: "worker_sessions", owner: "worker_id")
    static let accounts = BrowserSessions(table: "account_sessions", owner: "account_id")

    /// A new session for `ownerID`; returns its secret. Expired sessions go at the same time.
    func start(for ownerID: String, in database: any Database) throws -> String {
        let secret = SecureRandom.hex(bytes: 32)
        let expires = Timestamp.format(Date().addingTimeInterval(Double(Self.lifetime.components.seconds)))
        try database.write { db in
            try db.run("DELETE FROM \(table) WHERE expires_at < ?", [Timestamp.now()])
            try db.run("INSERT INTO \(table) (hash, \(owner), expires_at) VALUES (?, ?, ?)", [Self.hash(secret), ownerID, expires])
        }
        return secret
    }

    /// The owner of a live session.
    func owner(of secret: String, on db: any Connection) throws -> String? {
        guard secret.utf8.count == 64 else { return nil }
        return try db.queryOne("SELECT \(owner) FROM \(table) WHERE hash = ? AND expires_at > ?", [Self.hash(secret), Timestamp.now()])?
            .string(owner)
    }

    func end(_ secret: String, in database: any Database) throws {
        try database.write { db in try db.run("DELETE FROM \(table) WHERE hash = ?", [Self.hash(secret)]) }
    }

    /// Ends every session of `ownerID`, inside the caller's transaction (a key rotation, a new link).
    func endAll(of ownerID: String, on db: any Connection) throws {
        try db.run("DELETE FROM \(table) WHERE \(owner) = ?", [ownerID])
    }

    private static func hash(_ secret: String) -> [UInt8] { SHA256.hash(Array(secret.utf8)) }
}

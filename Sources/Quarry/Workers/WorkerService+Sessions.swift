import Crypto
import Foundation
import Storage

/// Workbench sessions: the sign-in link's token is exchanged once for a random session secret kept
/// in an HttpOnly cookie, so the token leaves the page's address and scripts never hold a credential.
/// Only the secret's SHA-256 is stored; 256 random bits cannot be guessed, so a plain lookup by hash
/// leaks nothing a constant-time comparison would protect.
extension WorkerService {
    /// How long a session lasts from sign-in.
    public static let sessionLifetime: Duration = .seconds(12 * 3600)

    /// The worker and a new session secret for a valid token; nil otherwise.
    public func startSession(token: String) throws -> (worker: Worker, secret: String)? {
        guard let worker = try authenticate(token: token) else { return nil }
        let secret = SecureRandom.hex(bytes: 32)
        let expires = Timestamp.format(Date().addingTimeInterval(Double(Self.sessionLifetime.components.seconds)))
        try database.write { db in
            try db.run("DELETE FROM worker_sessions WHERE expires_at < ?", [Timestamp.now()])
            try db.run("INSERT INTO worker_sessions (hash, worker_id, expires_at) VALUES (?, ?, ?)",
                       [SHA256.hash(Array(secret.utf8)), worker.id, expires])
        }
        return (worker, secret)
    }

    /// The worker a live session belongs to.
    public func worker(session secret: String) throws -> Worker? {
        guard secret.utf8.count == 64 else { return nil }
        return try database.read { db in
            guard let row = try db.queryOne("SELECT worker_id FROM worker_sessions WHERE hash = ? AND expires_at > ?",
                                            [SHA256.hash(Array(secret.utf8)), Timestamp.now()]) else { return nil }
            return try WorkerStore.find(id: try row.string("worker_id"), on: db)
        }
    }

    public func endSession(_ secret: String) throws {
        try database.write { db in try db.run("DELETE FROM worker_sessions WHERE hash = ?", [SHA256.hash(Array(secret.utf8))]) }
    }
}

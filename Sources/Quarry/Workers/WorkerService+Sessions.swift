/// Workbench sessions: the sign-in link's token is exchanged once for a session secret kept in an
/// HttpOnly cookie, so the token leaves the page's address and scripts never hold a credential.
extension WorkerService {
    private static let sessions = BrowserSessions.workers
    public static let sessionLifetime = BrowserSessions.lifetime

    /// The worker and a new session secret for a valid token; nil otherwise.
    public func startSession(token: String) throws -> (worker: Worker, secret: String)? {
        guard let worker = try authenticate(token: token) else { return nil }
        return (worker, try Self.sessions.start(for: worker.id, in: database))
    }

    /// The worker a live session belongs to.
    public func worker(session secret: String) throws -> Worker? {
        try database.read { db in try Self.sessions.owner(of: secret, on: db).flatMap { try WorkerStore.find(id: $0, on: db) } }
    }

    public func endSession(_ secret: String) throws {
        try Self.sessions.end(secret, in: database)
    }
}

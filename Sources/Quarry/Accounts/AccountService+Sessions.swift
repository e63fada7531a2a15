/// Dashboard sessions: the API key is posted once and exchanged for a session secret in an HttpOnly
/// cookie, which image tags and EventSource (neither can send an Authorization header) carry.
extension AccountService {
    private static let sessions = BrowserSessions.accounts
    public static let sessionLifetime = BrowserSessions.lifetime

    public func startSession(key: String) throws -> (account: Account, secret: String)? {
        guard let account = try authenticate(key: key) else { return nil }
        return (account, try Self.sessions.start(for: account.id, in: database))
    }

    public func account(session secret: String) throws -> Account? {
        try database.read { db in try Self.sessions.owner(of: secret, on: db).flatMap { try AccountStore.find($0, on: db) } }
    }

    public func endSession(_ secret: String) throws {
        try Self.sessions.end(secret, in: database)
    }
}

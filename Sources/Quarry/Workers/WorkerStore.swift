import Storage

enum WorkerStore {
    static func insert(_ worker: Worker, token: SecretToken, on db: any Connection) throws {
        try db.run("INSERT INTO workers (id, account_id, email, token_lookup, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [worker.id, worker.accountID, worker.email, token.lookup, token.hash, worker.createdAt])
    }

    /// A new sign-in link ends the worker's workbench sessions too: it is how a lost link is revoked.
    static func replaceToken(workerID: String, token: SecretToken, on db: any Connection) throws {
        try db.run("UPDATE workers SET token_lookup = ?, token_hash = ? WHERE id = ?", [token.lookup, token.hash, workerID])
        try BrowserSessions.workers.endAll(of: workerID, on: db)
    }

    static func find(accountID: String, email: String, on db: any Connection) throws -> Worker? {
        try db.queryOne("SELECT id, account_id, email, created_at FROM workers WHERE account_id = ? AND email = ?",
                        [accountID, email]).map(worker)
    }

    static func find(id: String, on db: any Connection) throws -> Worker? {
        try db.queryOne("SELECT id, account_id, email, created_at FROM workers WHERE id = ?", [id]).map(worker)
    }

    static func list(accountID: String, on db: any Connection) throws -> [Worker] {
        try db.query("SELECT id, account_id, email, created_at FROM workers WHERE account_id = ? ORDER BY email",
                     [accountID]).map(worker)
    }

    static func candidates(lookup: String, on db: any Connection) throws -> [(hash: [UInt8], value: Worker)] {
        try db.query("SELECT id, account_id, email, created_at, token_hash FROM workers WHERE token_lookup = ?", [lookup])
            .map { row in (try row.blob("token_hash"), try worker(row)) }
    }

    /// The accounts that have a worker with `email`, narrowed to `account` (an id or a name) when given.
    static func accounts(email: String, account: String?, on db: any Connection) throws -> [String] {
        try db.query("""
            SELECT w.account_id FROM workers w JOIN accounts a ON a.id = w.account_id
            WHERE w.email = ? AND (CAST(? AS TEXT) IS NULL OR a.id = ? OR a.name = ?)
            """, [email, account, account, account]).map { try $0.string("account_id") }
    }

    static func worker(_ row: Row) throws -> Worker {
        Worker(id: try row.string("id"), accountID: try row.string("account_id"), email: try row.string("email"),
               createdAt: try row.string("created_at"))
    }
}

import Storage

extension WorkerService {
    /// A fresh token for the worker with `email` in whichever account has one; `account` (id or name)
    /// picks among several. Throws notFound when no account (or not the named one) has that worker.
    public func issueToken(email: String, account: String?) throws -> (worker: Worker, token: String) {
        let normalized = try Self.normalized(email: email)
        let matches = try database.read { db in
            try db.query("""
                SELECT w.account_id FROM workers w JOIN accounts a ON a.id = w.account_id
                WHERE w.email = ? AND (? IS NULL OR a.id = ? OR a.name = ?)
                """, [normalized, account, account, account]).map { try $0.string("account_id") }
        }
        guard let accountID = matches.first else { throw WorkerError.notFound(normalized) }
        guard matches.count == 1 else { throw WorkerError.ambiguous(normalized, accounts: matches.count) }
        return try issueToken(accountID: accountID, email: normalized)
    }
}

import Storage

extension WorkerService {
    /// A fresh token for the worker with `email` in whichever account has one; `account` (id or name)
    /// picks among several. Throws notFound when no account (or not the named one) has that worker.
    public func issueToken(email: String, account: String?) throws -> (worker: Worker, token: String) {
        let normalized = try Self.normalized(email: email)
        let matches = try database.read { db in try WorkerStore.accounts(email: normalized, account: account, on: db) }
        guard let accountID = matches.first else { throw WorkerError.notFound(normalized) }
        guard matches.count == 1 else { throw WorkerError.ambiguous(normalized, accounts: matches.count) }
        return try issueToken(accountID: accountID, email: normalized)
    }
}

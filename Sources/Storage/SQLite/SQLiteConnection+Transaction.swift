import CSQLite

extension SQLiteConnection {
    enum TransactionKind: String {
        /// Takes the write lock at BEGIN, so a write transaction never fails part-way to upgrade.
        case immediate = "IMMEDIATE"
        /// For reads: the snapshot starts at the first read and holds until COMMIT.
        case deferred = "DEFERRED"
    }

    /// COMMIT when `body` returns; ROLLBACK when it or the COMMIT throws, and that error is rethrown.
    /// `body` must not BEGIN, COMMIT or ROLLBACK itself; SAVEPOINT is fine.
    func inTransaction<T>(_ kind: TransactionKind, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try run("BEGIN \(kind.rawValue)")
        do {
            let result = try body(self)
            try run("COMMIT")
            return result
        } catch {
            rollbackIfActive()
            throw error
        }
    }

    /// Some errors (disk full, I/O) end the transaction inside SQLite already, and a ROLLBACK then
    /// fails with "no transaction is active". A failing ROLLBACK is not reported: the caller needs the
    /// error that caused it, and a transaction left open shows at the next BEGIN.
    private func rollbackIfActive() {
        guard sqlite3_get_autocommit(handle) == 0 else { return }
        _ = try? run("ROLLBACK")
    }
}

import CPostgres

extension PostgresConnection {
    enum TransactionKind: String {
        /// Serializable: PostgreSQL then guarantees what SQLite's single writer does, that the outcome
        /// is that of some serial order, by aborting (40001) a transaction that would break it.
        case write = "BEGIN ISOLATION LEVEL SERIALIZABLE"
        /// One snapshot for every query; read-only transactions never abort for serialization.
        case read = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        /// Each statement sees what was committed before it, so after waiting for a lock a statement
        /// sees the work of the process that held it (`PostgresMigrator`).
        case readCommitted = "BEGIN ISOLATION LEVEL READ COMMITTED"
    }

    /// COMMIT when `body` returns; ROLLBACK when it or the COMMIT throws, and that error is rethrown,
    /// except that when the transaction first failed on a conflict (`PostgresError.isRetryable`),
    /// that conflict is thrown whatever `body` made of it, so the caller can run it again.
    /// `body` must not BEGIN, COMMIT or ROLLBACK itself; SAVEPOINT is fine.
    func inTransaction<T>(_ kind: TransactionKind, _ body: (PostgresConnection) throws -> T) throws -> T {
        try begin(kind)
        do {
            let result = try body(self)
            // PostgreSQL answers COMMIT of a failed transaction by rolling it back, without an error:
            // a body that caught a statement's error and carried on would otherwise seem to have
            // committed.
            guard try commandTag("COMMIT") == "COMMIT" else {
                throw transactionFailure ?? PostgresError(sqlState: "25P02", message: "the transaction had failed and was rolled back",
                                                          sql: "COMMIT")
            }
            return result
        } catch {
            rollbackIfActive()
            if let failure = transactionFailure, failure.isRetryable { throw failure }
            throw error
        }
    }

    /// A connection that sat in the pool may have been closed by the server since (a restart): that
    /// shows here, before anything of the transaction has run, so reconnecting and beginning again
    /// is safe, and the first request after a restart succeeds instead of failing once per pooled
    /// connection.
    private func begin(_ kind: TransactionKind) throws {
        try reconnectIfLost()
        transactionFailure = nil
        do {
            try execute(kind.rawValue)
        } catch StorageError.unavailable {
            try reconnect()
            transactionFailure = nil
            try execute(kind.rawValue)
        }
    }

    /// A failing ROLLBACK is not reported: the caller needs the error that caused it, and a broken
    /// connection is reconnected at its next use.
    private func rollbackIfActive() {
        let status = transactionStatus
        guard status == PQTRANS_INTRANS || status == PQTRANS_INERROR else { return }
        let failure = transactionFailure
        _ = try? execute("ROLLBACK")
        transactionFailure = failure
    }

    /// Runs `body` holding a session advisory lock that every Quarry process takes for its transactions'
    /// second and later attempts ("QuarryRt"). It is taken before `body` begins its transaction, so that
    /// transaction's snapshot sees whatever the holder before it committed. Released however `body` ends;
    /// a connection lost meanwhile takes the lock with it.
    func holdingRetryLock<T>(_ body: () throws -> T) throws -> T {
        try reconnectIfLost()
        try execute("SELECT pg_advisory_lock(\(Self.retryLockKey))")
        defer { _ = try? execute("SELECT pg_advisory_unlock(\(Self.retryLockKey))") }
        return try body()
    }

    static let retryLockKey: Int64 = 0x5175_6172_7279_5274
}

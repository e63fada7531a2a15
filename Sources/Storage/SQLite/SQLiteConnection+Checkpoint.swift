import CSQLite

extension SQLiteConnection {
    /// Copies the whole WAL into the database file and truncates the WAL to zero bytes. It waits,
    /// up to the busy timeout, for readers still on older snapshots, and throws SQLITE_BUSY if they
    /// outlast it.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/c3ref/wal_checkpoint_v2.html>
    func checkpointTruncate() throws {
        try checkOpen()
        guard sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil) == SQLITE_OK else {
            throw SQLiteError(db: handle, sql: nil)
        }
    }
}

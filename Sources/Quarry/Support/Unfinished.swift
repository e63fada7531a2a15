import Storage

/// Jobs whose work lived in the process (evaluations, model exports) cannot go on after a restart:
/// those still pending or running are failed when the server starts, saying why, and can be created again.
enum Unfinished {
    /// `table` is one of ours, with `status`, `error` and `finished_at` columns.
    static func fail(_ table: String, in database: Database) throws {
        try database.write { db in
            try db.run("""
                UPDATE \(table) SET status = 'failed', error = 'interrupted by a server restart; create it again', finished_at = ?
                WHERE status IN ('pending', 'running')
                """, [Timestamp.now()])
        }
    }
}

import Storage

/// Work that lived in the last server process cannot go on in this one. Before a server serves, runs
/// it was training (or had queued) become `interrupted`, and so resumable; imports, evaluations and
/// model exports it was doing or had queued are failed, saying why, and can be made again.
///
/// Only the server settles this: an admin command opens the same data directory while the server
/// works, and must leave that work alone.
enum Unfinished {
    static func settle(in database: Database) throws {
        let now = Timestamp.now()
        try database.write { db in
            try db.run("UPDATE runs SET status = 'interrupted', finished_at = ? WHERE status IN ('pending', 'running')", [now])
            try db.run("""
                UPDATE import_jobs SET status = 'failed', error = 'interrupted by a restart; start the import again', finished_at = ?
                WHERE status IN ('queued', 'running')
                """, [now])
            for table in ["evaluations", "model_exports"] {
                try db.run("""
                    UPDATE \(table) SET status = 'failed', error = 'interrupted by a server restart; create it again', finished_at = ?
                    WHERE status IN ('pending', 'running')
                    """, [now])
            }
        }
    }
}

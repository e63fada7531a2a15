extension SQLiteDatabase {
    /// The application's tables (not the migrations' record or SQLite's own) in an order where every
    /// table comes after those its foreign keys name, so rows copied in that order always find their parents.
    public func tablesParentsFirst() throws -> [String] {
        try read { db in
            let names = try db.query("""
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence') AND name NOT LIKE 'sqlite_%'
                ORDER BY name
                """).map { try $0.string("name") }
            var parents: [String: Set<String>] = [:]
            for name in names {
                parents[name] = Set(try db.query("SELECT \"table\" AS parent FROM pragma_foreign_key_list(?)", [name])
                    .map { try $0.string("parent") }).subtracting([name])
            }
            var ordered: [String] = []
            var placed: Set<String> = []
            while ordered.count < names.count {
                let ready = names.filter { !placed.contains($0) && parents[$0, default: []].isSubset(of: placed) }
                precondition(!ready.isEmpty, "foreign keys in a cycle among \(Set(names).subtracting(placed))")
                ordered += ready
                placed.formUnion(ready)
            }
            return ordered
        }
    }

    /// Up to `limit` rows of `table` past the row `after` in storage order, as its column names and each
    /// row's values, and the `after` of the next page (nil once a page comes back short): for reading a whole table a page
    /// at a time without holding one snapshot open through it all.
    public func rows(of table: String, after: Int64?, limit: Int) throws -> (columns: [String], values: [[SQLValue]], next: Int64?) {
        try read { db in
            let rows = try db.query("SELECT rowid AS quarry_rowid, * FROM \(table) WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                    [after ?? .min, limit])
            guard let last = rows.last else { return ([], [], nil) }
            let columns = Array(last.columnNames.dropFirst())
            let next = rows.count < limit ? nil : try last.int64("quarry_rowid")
            return (columns, rows.map { row in (1..<row.count).map { row[$0] } }, next)
        }
    }
}

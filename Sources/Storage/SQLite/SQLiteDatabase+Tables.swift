extension SQLiteDatabase {
    /// How to copy the application's tables (not the migrations' record or SQLite's own) into another
    /// database whose foreign keys are checked at once: in `tables`' order every table comes after those
    /// its foreign keys name, except through the nullable columns each table lists as `deferred` (a cycle,
    /// such as a project naming one of its runs, or a table naming itself), which are copied as NULL and
    /// set once every row is in.
    public func copyPlan() throws -> CopyPlan {
        try read { db in
            let names = try db.query("""
                SELECT name FROM sqlite_master
                WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence') AND name NOT LIKE 'sqlite_%'
                ORDER BY name
                """).map { try $0.string("name") }
            var keys: [String: [(column: String, parent: String, nullable: Bool)]] = [:]
            var primaryKeys: [String: [String]] = [:]
            for name in names {
                let columns = try db.query("SELECT name, \"notnull\" AS required, pk FROM pragma_table_info(?) ORDER BY pk", [name])
                let required = Set(try columns.filter { try $0.bool("required") }.map { try $0.string("name") })
                primaryKeys[name] = try columns.filter { try $0.int("pk") > 0 }.map { try $0.string("name") }
                keys[name] = try db.query("SELECT \"table\" AS parent, \"from\" AS col FROM pragma_foreign_key_list(?)", [name]).map {
                    (try $0.string("col"), try $0.string("parent"), !required.contains(try $0.string("col")))
                }
            }
            var ordered: [String] = []
            var placed: Set<String> = []
            while ordered.count < names.count {
                let waiting = names.filter { !placed.contains($0) }
                let parents = { (name: String, all: Bool) in
                    Set(keys[name, default: []].filter { all || !$0.nullable }.map(\.parent)).subtracting([name])
                }
                var ready = waiting.filter { parents($0, true).isSubset(of: placed) }
                // A cycle: the tables whose required parents are in go first; their nullable keys wait.
                if ready.isEmpty { ready = waiting.filter { parents($0, false).isSubset(of: placed) } }
                precondition(!ready.isEmpty, "required foreign keys in a cycle among \(waiting)")
                ordered += ready
                placed.formUnion(ready)
            }
            let position = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })
            let tables = ordered.map { name in
                CopyPlan.Table(name: name, primaryKey: primaryKeys[name] ?? [],
                               deferred: keys[name, default: []].filter { $0.nullable && position[$0.parent, default: 0] >= position[name, default: 0] }
                                   .map(\.column))
            }
            let hasSequence = try db.queryOne("SELECT 1 AS found FROM sqlite_master WHERE name = 'sqlite_sequence'") != nil
            let counters = hasSequence ? try db.query("SELECT name, seq FROM sqlite_sequence").reduce(into: [String: Int64]()) {
                $0[try $1.string("name")] = try $1.int64("seq")
            } : [:]
            return CopyPlan(tables: tables, counters: counters)
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

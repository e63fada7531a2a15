/// Prepared statements of one connection keyed by SQL text, least recently used evicted first.
/// Bounded because SQL built at run time (say, an `IN (?, ?, ?)` list per length) would otherwise
/// keep statements, and their memory, for the life of the connection.
struct StatementCache {
    let capacity: Int
    private var entries: [String: (statement: Statement, lastUse: UInt64)] = [:]
    private var clock: UInt64 = 0

    init(capacity: Int) {
        precondition(capacity > 0, "a statement cache needs room for at least one statement")
        self.capacity = capacity
    }

    var count: Int { entries.count }

    mutating func statement(for sql: String, prepare: () throws -> Statement) rethrows -> Statement {
        clock += 1
        if let entry = entries[sql] {
            entries[sql] = (entry.statement, clock)
            return entry.statement
        }
        let statement = try prepare()
        if entries.count >= capacity, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
        }
        entries[sql] = (statement, clock)
        return statement
    }

    /// Dropping the statements finalizes them, which must happen before their connection closes.
    mutating func removeAll() {
        entries.removeAll()
    }
}

import Foundation

/// A fixed set of read-only connections; a read borrows one and blocks while all are out.
///
/// `@unchecked Sendable` because `SQLiteConnection` is not Sendable: a connection is either in `idle`,
/// touched only under `condition`'s lock, or lent to exactly one thread by `withConnection`.
final class ReaderPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [SQLiteConnection]
    private let size: Int
    private var closed = false

    init(_ connections: [SQLiteConnection]) {
        precondition(!connections.isEmpty, "a reader pool needs at least one connection")
        idle = connections
        size = connections.count
    }

    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    private func checkOut() throws -> SQLiteConnection {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if closed { throw StorageError.databaseClosed }
            if let connection = idle.popLast() { return connection }
            condition.wait()
        }
    }

    private func checkIn(_ connection: SQLiteConnection) {
        condition.lock()
        defer { condition.unlock() }
        idle.append(connection)
        // Broadcast, not signal: both readers waiting for a connection and `close` waiting for all
        // of them sleep on this one condition, and a signal could wake the wrong one.
        condition.broadcast()
    }

    /// Refuses new reads, waits for those in progress to return their connections, then closes them all.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        condition.broadcast()
        while idle.count < size {
            condition.wait()
        }
        for connection in idle {
            connection.close()
        }
        idle.removeAll()
    }
}

import Foundation

/// Up to `size` connections, opened when first needed rather than all at start, so a database that
/// is rarely busy holds few of the server's connections. A read or write borrows one and blocks
/// while all are out.
///
/// A connection the server dropped stays in the pool and reconnects at its next use
/// (`PostgresConnection.reconnectIfLost`), so the pool recovers from a server restart by itself.
///
/// `@unchecked Sendable` because `PostgresConnection` is not Sendable: a connection is either in
/// `idle`, touched only under `condition`'s lock, or lent to exactly one thread by `withConnection`.
final class PostgresPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    /// Connections that exist: idle, lent, or being opened.
    private var opened = 0
    private var closed = false
    private let size: Int
    private let connect: @Sendable () throws -> PostgresConnection

    init(size: Int, connect: @escaping @Sendable () throws -> PostgresConnection) {
        precondition(size > 0, "a pool needs at least one connection")
        self.size = size
        self.connect = connect
    }

    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    private func checkOut() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw StorageError.databaseClosed
            }
            // The most recently used first: it is the likeliest to be alive and warm.
            if let connection = idle.popLast() {
                condition.unlock()
                return connection
            }
            if opened < size { break }
            condition.wait()
        }
        opened += 1
        condition.unlock()
        // Outside the lock: connecting takes a round trip or, to a server that is down, the timeout.
        do {
            return try connect()
        } catch {
            condition.lock()
            opened -= 1
            condition.broadcast()
            condition.unlock()
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        condition.lock()
        defer { condition.unlock() }
        idle.append(connection)
        // Broadcast, not signal: threads waiting for a connection and `close` waiting for all of
        // them sleep on this one condition, and a signal could wake the wrong one.
        condition.broadcast()
    }

    /// Refuses new work, waits for the connections lent out to come back, then closes them all.
    func close() {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        closed = true
        condition.broadcast()
        while idle.count < opened {
            condition.wait()
        }
        for connection in idle {
            connection.close()
        }
        idle.removeAll()
        opened = 0
    }
}

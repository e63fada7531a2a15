import Foundation

/// What a pool needs of the connections it keeps.
protocol PooledConnection: AnyObject {
    func close()
}

/// Up to `size` connections; a read or write borrows one and blocks while all are out. SQLite's
/// readers are all opened at the start (`init(_:)`); PostgreSQL's are opened when first needed
/// (`init(size:connect:)`), so a database that is rarely busy holds few of the server's connections.
///
/// `@unchecked Sendable` because connections are not Sendable: one is either in `idle`, touched only
/// under `condition`'s lock, or lent to exactly one thread by `withConnection`.
final class ConnectionPool<Pooled: PooledConnection>: @unchecked Sendable {
    private let condition = NSCondition()
    private var idle: [Pooled]
    /// Connections that exist: idle, lent, or being opened.
    private var opened: Int
    private var closed = false
    private let size: Int
    private let connect: (@Sendable () throws -> Pooled)?

    init(_ connections: [Pooled]) {
        precondition(!connections.isEmpty, "a pool needs at least one connection")
        idle = connections
        opened = connections.count
        size = connections.count
        connect = nil
    }

    init(size: Int, connect: @escaping @Sendable () throws -> Pooled) {
        precondition(size > 0, "a pool needs at least one connection")
        idle = []
        opened = 0
        self.size = size
        self.connect = connect
    }

    func withConnection<T>(_ body: (Pooled) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        return try body(connection)
    }

    private func checkOut() throws -> Pooled {
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
            if let connect, opened < size {
                opened += 1
                condition.unlock()
                return try open(connect)
            }
            condition.wait()
        }
    }

    /// Outside the lock: connecting takes a round trip or, to a server that is down, the timeout.
    private func open(_ connect: () throws -> Pooled) throws -> Pooled {
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

    private func checkIn(_ connection: Pooled) {
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

import CPostgres
import Foundation
import Glibc
import Synchronization

/// LISTEN on one channel over a connection of its own, calling `heard` for each NOTIFY: the wake-up hint
/// of `Database.listen`. A thread waits on the connection's socket (up to `PostgresListener.tick` at a
/// time, to see `stop`); a connection the server dropped is opened again and LISTENs again, once a tick,
/// and `heard` is called then too, as notifications sent meanwhile are lost.
final class PostgresListener: DatabaseListener {
    static let tick: Int32 = 500  // milliseconds

    private let stopped = Flag()
    private let finished = DispatchSemaphore(value: 0)

    init(url: String, channel: String, heard: @escaping @Sendable () -> Void) throws {
        let quoted = "\"\(channel.replacingOccurrences(of: "\"", with: "\"\""))\""
        let first = try Self.connect(url: url, listening: quoted)
        let holder = ConnectionHolder(first)
        let thread = Thread { [stopped, finished] in
            defer { finished.signal() }
            while !stopped.isSet {
                guard let connection = holder.connection else {
                    Thread.sleep(forTimeInterval: Double(Self.tick) / 1000)
                    holder.connection = try? Self.connect(url: url, listening: quoted)
                    if holder.connection != nil { heard() }
                    continue
                }
                switch connection.waitForNotifications(timeout: Self.tick) {
                case .some(let count): if count > 0 { heard() }
                case .none: holder.connection = nil  // lost: open it again next time round
                }
            }
            holder.connection = nil
        }
        thread.name = "quarry-listen"
        thread.start()
    }

    func stop() {
        guard stopped.set() else { return }
        finished.wait()
    }

    private static func connect(url: String, listening channel: String) throws -> PostgresConnection {
        let connection = try PostgresConnection(url: url)
        try connection.execute("LISTEN \(channel)")
        return connection
    }

    private final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        var isSet: Bool { value.load(ordering: .acquiring) }
        /// Whether this call set it.
        func set() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// The listening thread's connection, touched by that thread alone once it starts.
    private final class ConnectionHolder: @unchecked Sendable {
        var connection: PostgresConnection?
        init(_ connection: PostgresConnection) { self.connection = connection }
    }
}

extension PostgresConnection {
    /// NOTIFY outside a transaction, so it is delivered at once; a pooled connection the server dropped
    /// is opened again once, as `begin` does.
    func notify(_ channel: String) throws {
        try reconnectIfLost()
        do {
            _ = try query("SELECT pg_notify(?, '')", [channel])
        } catch StorageError.unavailable {
            try reconnect()
            _ = try query("SELECT pg_notify(?, '')", [channel])
        }
    }

    /// Waits up to `timeout` milliseconds for the socket, then takes what arrived: how many
    /// notifications came, or nil when the connection is lost.
    func waitForNotifications(timeout: Int32) -> Int? {
        guard let handle = try? open(), PQstatus(handle) == CONNECTION_OK else { return nil }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeout)
        if ready < 0 && errno != EINTR { return nil }
        guard PQconsumeInput(handle) != 0, PQstatus(handle) == CONNECTION_OK else { return nil }
        var count = 0
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            count += 1
        }
        return count
    }
}

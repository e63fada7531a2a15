import Foundation
import Synchronization

/// The one read-write connection and the lock that gives it to one thread at a time.
///
/// `@unchecked Sendable` because `SQLiteConnection` is not Sendable: every access to it happens between
/// `lock.lock()` and `lock.unlock()`, which the compiler cannot see.
final class Writer: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: SQLiteConnection?
    /// The thread inside `withConnection`, so that a nested write traps instead of deadlocking.
    private let owner = Atomic<UInt>(0)

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let me = UInt(pthread_self())
        precondition(owner.load(ordering: .relaxed) != me,
                     "Database.write called inside a write on the same thread; it would wait for itself forever")
        lock.lock()
        owner.store(me, ordering: .relaxed)
        defer {
            owner.store(0, ordering: .relaxed)
            lock.unlock()
        }
        guard let connection else { throw StorageError.databaseClosed }
        return try body(connection)
    }

    /// Waits for a write in progress to finish. The checkpoint's failure is not reported: nothing is
    /// lost, as the next open replays the WAL.
    func close() {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { return }
        try? connection.checkpointTruncate()
        connection.close()
        self.connection = nil
    }
}

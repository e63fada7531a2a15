import Crypto
import Dispatch
import Foundation
@testable import Storage
import Synchronization
import Testing

/// The holds and marks several processes share a bucket through (`BlobHolds`), on each real database.
/// Times are moved by rewriting rows rather than by waiting for them to pass.
@Suite(.postgres) struct DatabaseBlobHoldsTests {
    /// The application's table, and a count of every upsert tried on it: SQLite fires a BEFORE INSERT
    /// trigger for an upsert whatever it then does, so a refused hold leaves a trace a test can wait on.
    static let migrations = [
        Migration(version: 1, name: "blob holds", sql: DatabaseBlobHolds.schema),
        Migration(version: 2, name: "hold attempts", sql: """
            CREATE TABLE hold_attempts (blob TEXT NOT NULL);
            CREATE TRIGGER count_hold_attempts BEFORE INSERT ON blob_holds BEGIN
                INSERT INTO hold_attempts VALUES (new.blob);
            END;
            """),
    ]

    private struct Row: Equatable {
        var heldUntil: String
        var deletingSince: String?
    }

    private func blob(_ name: String) -> BlobID { BlobID(digest: SHA256.hash(Array(name.utf8))) }

    private func row(_ database: any Database, _ id: BlobID) throws -> Row? {
        try database.read { db in
            try db.queryOne("SELECT held_until, deleting_since FROM blob_holds WHERE blob = ?", [id.hex]).map {
                Row(heldUntil: try $0.string("held_until"), deletingSince: try $0.optionalString("deleting_since"))
            }
        }
    }

    private func attempts(_ database: any Database, _ id: BlobID) throws -> Int {
        try database.read { db in
            try db.queryOne("SELECT count(*) AS n FROM hold_attempts WHERE blob = ?", [id.hex])?.int("n") ?? 0
        }
    }

    private func ago(_ seconds: TimeInterval) -> String { Timestamp.format(Date().addingTimeInterval(-seconds)) }

    /// Moves a hold's end, or a mark's start, an hour into the past.
    private func backdate(_ database: any Database, _ id: BlobID, column: String) throws {
        let changed = try database.write { db in
            try db.run("UPDATE blob_holds SET \(column) = ? WHERE blob = ?", [ago(3_600), id.hex])
        }
        #expect(changed == 1)
    }

    /// `hold` on a thread of its own, which may wait for a collection.
    private final class BackgroundHold: Sendable {
        let returned = Atomic(false)
        let failure = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)

        init(_ holds: DatabaseBlobHolds, _ ids: [BlobID]) {
            Thread.detachNewThread { [self] in
                do {
                    try holds.hold(ids, for: .seconds(3_600))
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
                returned.store(true, ordering: .sequentiallyConsistent)
                done.signal()
            }
        }

        /// Whether it returned within `seconds`, without an error.
        func join(within seconds: Int) -> Bool {
            done.wait(timeout: .now() + .seconds(seconds)) == .success && failure.withLock { $0 } == nil
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func aLiveHoldKeepsItsBlobUnmarked(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database)
            let (held, free) = (blob("held"), blob("free"))
            try holds.hold([held], for: .seconds(3_600))
            #expect(try holds.markForDeletion([held, free]) == [free])
            #expect(try row(database, held)?.deletingSince == nil)
            #expect(try row(database, free)?.deletingSince != nil)
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func anExpiredHoldProtectsNothing(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database)
            let id = blob("expired")
            try holds.hold([id], for: .seconds(3_600))
            try backdate(database, id, column: "held_until")
            #expect(try holds.markForDeletion([id]) == [id])
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func aBlobNoOneHoldsIsMarkedOnce(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database)
            let id = blob("unheld")
            #expect(try holds.markForDeletion([id]) == [id])
            #expect(try row(database, id)?.deletingSince != nil)
            // A second collection must not take a blob another is deleting for its own.
            #expect(try holds.markForDeletion([id]) == [])
            try holds.unmark([id])
            #expect(try row(database, id) == nil)
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func aShorterHoldDoesNotCutALongerOneShort(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database)
            let id = blob("held twice")
            try holds.hold([id], for: .seconds(3_600))
            let long = try #require(try row(database, id))
            // Another process with a shorter grace period puts the same bytes.
            try holds.hold([id], for: .zero)
            #expect(try row(database, id) == long)
            #expect(try holds.markForDeletion([id]) == [])
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func aHoldOnAMarkedBlobWaitsUntilUnmark(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database, retryDelay: .milliseconds(1))
            let id = blob("being deleted")
            #expect(try holds.markForDeletion([id]) == [id])
            let triedBefore = try attempts(database, id)

            let background = BackgroundHold(holds, [id])
            // Two refused tries: the hold has looked, been turned away, and come back.
            let deadline = ContinuousClock.now + .seconds(30)
            while try attempts(database, id) < triedBefore + 2 {
                try #require(ContinuousClock.now < deadline, "the hold never tried")
                sched_yield()
            }
            let returned = background.returned.load(ordering: .sequentiallyConsistent)
            #expect(!returned)
            #expect(try row(database, id)?.deletingSince != nil)

            try holds.unmark([id])
            try #require(background.join(within: 30))
            let after = try #require(try row(database, id))
            #expect(after.deletingSince == nil)
            #expect(after.heldUntil > Timestamp.now())
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func anAbandonedMarkIsTakenOverByAHold(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database, abandonedAfter: .milliseconds(1), retryDelay: .milliseconds(1))
            let id = blob("abandoned")
            #expect(try holds.markForDeletion([id]) == [id])
            // The collection that marked it died an hour ago.
            try backdate(database, id, column: "deleting_since")

            // On a thread, so that a hold that never takes the row over fails the test rather than hanging it.
            try #require(BackgroundHold(holds, [id]).join(within: 30), "the hold waited on an abandoned mark")
            let after = try #require(try row(database, id))
            #expect(after.deletingSince == nil && after.heldUntil > Timestamp.now())

            // The dead collection's late unmark leaves the new hold alone, and no one can mark it now.
            try holds.unmark([id])
            #expect(try row(database, id) == after)
            #expect(try holds.markForDeletion([id]) == [])
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func anAbandonedMarkIsTakenOverByTheNextCollection(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database, abandonedAfter: .seconds(600))
            let id = blob("left marked")
            #expect(try holds.markForDeletion([id]) == [id])
            // Another collection must not take a live mark.
            #expect(try holds.markForDeletion([id]) == [])
            // Marked an hour ago, when the hold it found had ended.
            try backdate(database, id, column: "deleting_since")
            try backdate(database, id, column: "held_until")
            // With no put of the blob to take the row back, the next collection must, or the blob stays forever.
            #expect(try holds.markForDeletion([id]) == [id])
            let mark = try #require(try row(database, id)?.deletingSince)
            #expect(mark > ago(60))
            try holds.unmark([id])
            #expect(try row(database, id) == nil)
        }
    }

    @Test(arguments: DatabaseBackend.allCases) func unmarkForgetsHoldsLongOverAndKeepsTheRest(_ backend: DatabaseBackend) throws {
        try backend.open(Self.migrations) { database in
            let holds = DatabaseBlobHolds(database: database)
            let (over, live, marked) = (blob("over"), blob("live"), blob("marked elsewhere"))
            try holds.hold([over, live], for: .seconds(3_600))
            try backdate(database, over, column: "held_until")
            #expect(try holds.markForDeletion([marked]) == [marked])

            // Unmarking nothing still sweeps: the table does not grow with every put ever made.
            try holds.unmark([])
            #expect(try row(database, over) == nil)
            #expect(try row(database, live) != nil)
            // Another collection's mark is its own to end.
            #expect(try row(database, marked)?.deletingSince != nil)
        }
    }
}

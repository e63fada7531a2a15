import Foundation

/// `BlobHolds` in the deployment's database, for `S3BlobStore`: the `blob_holds` table's SQL. The
/// table is the application's (its schema migrations create it from `schema`), the statements are here.
///
/// A hold and a mark are the same row, so two processes racing on one blob meet on its key: the
/// upsert of a hold and the upsert of a mark each see the other's committed row, whatever the
/// database's isolation level. Times are `Timestamp` text, which sorts as time.
public final class DatabaseBlobHolds: BlobHolds {
    public static let schema = """
        CREATE TABLE blob_holds (
            blob TEXT PRIMARY KEY,
            held_until TEXT NOT NULL,
            deleting_since TEXT
        );
        """

    let database: any Database
    /// A mark older than this is taken for a collection that died mid-way, and a put or the next
    /// collection takes the row over; `S3BlobStore` deletes in chunks that take seconds.
    let abandonedAfter: Duration
    /// How long a put waits between looks at a blob being deleted.
    let retryDelay: Duration

    public init(database: any Database, abandonedAfter: Duration = .seconds(600), retryDelay: Duration = .milliseconds(50)) {
        self.database = database
        self.abandonedAfter = abandonedAfter
        self.retryDelay = retryDelay
    }

    public func hold(_ ids: [BlobID], for duration: Duration) throws {
        var waiting = ids
        while !waiting.isEmpty {
            let now = Date()
            let until = Timestamp.format(now.addingTimeInterval(Self.seconds(duration)))
            let abandoned = Timestamp.format(now.addingTimeInterval(-Self.seconds(abandonedAfter)))
            // The later of the two ends: a shorter hold (a process with a shorter grace period, or a clock
            // behind) must not cut short a hold another put relies on. A CASE, as SQLite's two-argument
            // max() is PostgreSQL's GREATEST.
            waiting = try database.write { db in
                try waiting.filter { id in
                    try db.run("""
                        INSERT INTO blob_holds (blob, held_until) VALUES (?, ?)
                        ON CONFLICT (blob) DO UPDATE SET held_until = CASE WHEN blob_holds.held_until > excluded.held_until
                            THEN blob_holds.held_until ELSE excluded.held_until END,
                            deleting_since = NULL
                        WHERE blob_holds.deleting_since IS NULL OR blob_holds.deleting_since < ?
                        """, [id.hex, until, abandoned]) == 0
                }
            }
            // A blob being deleted: its collection ends in seconds, and the put then stores it again.
            if !waiting.isEmpty { Thread.sleep(forTimeInterval: Self.seconds(retryDelay)) }
        }
    }

    public func markForDeletion(_ ids: [BlobID]) throws -> [BlobID] {
        let date = Date()
        let now = Timestamp.format(date)
        let abandoned = Timestamp.format(date.addingTimeInterval(-Self.seconds(abandonedAfter)))
        // A mark its collection abandoned is taken over too: else, with no put to take it back, its
        // unreferenced blob would never be collected, nor its row forgotten.
        return try database.write { db in
            try ids.filter { id in
                try db.run("""
                    INSERT INTO blob_holds (blob, held_until, deleting_since) VALUES (?, ?, ?)
                    ON CONFLICT (blob) DO UPDATE SET deleting_since = excluded.deleting_since
                    WHERE blob_holds.held_until < excluded.deleting_since
                        AND (blob_holds.deleting_since IS NULL OR blob_holds.deleting_since < ?)
                    """, [id.hex, now, now, abandoned]) == 1
            }
        }
    }

    public func unmark(_ ids: [BlobID]) throws {
        let now = Timestamp.now()
        try database.write { db in
            for id in ids {
                try db.run("DELETE FROM blob_holds WHERE blob = ? AND deleting_since IS NOT NULL", [id.hex])
            }
            try db.run("DELETE FROM blob_holds WHERE held_until < ? AND deleting_since IS NULL", [now])
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}

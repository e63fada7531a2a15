/// The small blobs, kept as rows of their own SQLite database (`blobs/inline.sqlite`) rather than
/// as one file each: a file costs the kernel an inode, and a shard directory often another, which
/// on ext4 cost more than writing the bytes (docs/decisions.md, "Storage").
///
/// The database belongs to `BlobStore` alone, with its own migrations, so Storage needs nothing from
/// Quarry's schema, a blob write never waits for Quarry's writer lock (nor holds it while it writes
/// megabytes), and `quarry.sqlite` stays small. Commits are `synchronous = FULL` as everywhere, so a
/// blob is durable once a write here returns; the row that refers to it commits later, in Quarry's
/// database, exactly as it does for a file.
///
/// `stored_at` plays the part of a file's mtime for the garbage collector: nanoseconds on the clock
/// mtimes are read against, set at every put of the content.
struct InlineBlobs: Sendable {
    let database: SQLiteDatabase

    /// 16 KiB pages: the size sqlite.org measured as fastest for blob reads (intern-v-extern-blob),
    /// and a 30 KB image then spans two pages rather than eight.
    static let pageSize = 16_384

    static let migrations = [
        Migration(version: 1, name: "inline blobs", sql: """
            CREATE TABLE inline_blobs (
                id TEXT NOT NULL UNIQUE,
                stored_at INTEGER NOT NULL,
                data BLOB NOT NULL
            );
            -- The collector reads only old ids: from the index, never touching the blobs' own pages.
            CREATE INDEX inline_blobs_age ON inline_blobs (stored_at, id);
            """),
    ]

    init(path: String) throws {
        database = try SQLiteDatabase(path: path, migrations: Self.migrations, pageSize: Self.pageSize)
    }

    /// Stores each blob, or refreshes the age of one already there, in one transaction. A refresh
    /// rewrites only the row's first page: the record keeps its size, and SQLite then leaves overflow
    /// pages whose content is unchanged unwritten.
    func put(_ blobs: [(id: BlobID, bytes: [UInt8])]) throws {
        guard !blobs.isEmpty else { return }
        let now = FileSystem.nanoseconds(FileSystem.now())
        try database.write { db in
            for blob in blobs {
                try db.run("""
                    INSERT INTO inline_blobs (id, stored_at, data) VALUES (?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET stored_at = excluded.stored_at
                    """, [blob.id.hex, now, blob.bytes])
            }
        }
    }

    func bytes(of id: BlobID) throws -> [UInt8]? {
        try database.read { db in
            try db.queryOne("SELECT data FROM inline_blobs WHERE id = ?", [id.hex]).map { try $0.blob("data") }
        }
    }

    func size(of id: BlobID) throws -> Int? {
        try database.read { db in
            try db.queryOne("SELECT length(data) AS size FROM inline_blobs WHERE id = ?", [id.hex]).map { try $0.int("size") }
        }
    }

    func contains(_ id: BlobID) throws -> Bool {
        try database.read { db in try db.queryOne("SELECT 1 FROM inline_blobs WHERE id = ?", [id.hex]) != nil }
    }

    func remove(_ id: BlobID) throws {
        try database.write { db in try db.run("DELETE FROM inline_blobs WHERE id = ?", [id.hex]) }
    }

    /// Removes blobs not in `referenced` stored before `cutoff`. The age is read and the row removed in
    /// one write transaction, so a put of the same content lands wholly before (and the blob is young)
    /// or wholly after (and stores it again).
    func collect(referenced: Set<BlobID>, storedBefore cutoff: Duration) throws -> Int {
        try database.write { db in
            var removed = 0
            for row in try db.query("SELECT id FROM inline_blobs WHERE stored_at < ?", [FileSystem.nanoseconds(cutoff)]) {
                let hex = try row.string("id")
                if let id = BlobID(hex: hex), referenced.contains(id) { continue }
                removed += try db.run("DELETE FROM inline_blobs WHERE id = ?", [hex])
            }
            return removed
        }
    }
}

import Foundation
import Glibc
import Testing
@testable import Storage

/// Runs `body` in a fresh directory that is removed afterwards, whatever happens.
@discardableResult
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.path + "/quarry-storage-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A database at `directory/test.db`, closed when `body` returns.
@discardableResult
func withDatabase<T>(migrations: [Migration] = [], readers: Int = 4,
                     _ body: (SQLiteDatabase) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let database = try SQLiteDatabase(path: "\(directory)/test.db", migrations: migrations, readers: readers)
        defer { database.close() }
        return try body(database)
    }
}

/// Both backends, for tests of SQL that must mean the same on each; PostgreSQL's needs the suite's
/// `.postgres` trait.
enum DatabaseBackend: CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }

    func open<T>(_ migrations: [Migration], _ body: (any Database) throws -> T) throws -> T {
        switch self {
        case .sqlite: try withDatabase(migrations: migrations, body)
        case .postgres: try withPostgres(migrations: migrations, body)
        }
    }
}

let peopleSchema = Migration(version: 1, name: "people", sql: """
    CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER);
    """)

/// Sets a file's modification time `seconds` into the past.
func backdate(_ path: String, by seconds: Int) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let past = timespec(tv_sec: now.tv_sec - seconds, tv_nsec: 0)
    var times = [past, past]
    precondition(utimensat(AT_FDCWD, path, &times, 0) == 0, "cannot backdate \(path)")
}

func modificationTime(_ path: String) throws -> Int {
    Int(try FileSystem.lstat(path).st_mtim.tv_sec)
}

/// Every regular file below `root`, relative to it, sorted.
func filesBelow(_ root: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: root)
    var files = [String]()
    while let entry = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: "\(root)/\(entry)", isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(entry)
        }
    }
    return files.sorted()
}

/// Moves every small blob's stored age `seconds` into the past, as `backdate` does for files.
func backdateInlineBlobs(_ store: LocalBlobStore, by seconds: Int) throws {
    try store.inline.database.write { db in
        try db.run("UPDATE inline_blobs SET stored_at = stored_at - ?", [Int64(seconds) * 1_000_000_000])
    }
}

/// How many small blobs `store` keeps in SQLite.
func inlineBlobCount(_ store: LocalBlobStore) throws -> Int {
    try store.inline.database.read { db in try db.queryOne("SELECT count(*) AS n FROM inline_blobs")?.int("n") ?? 0 }
}

import Foundation
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// `Backup.make` beside a run that is still writing checkpoints. SQLite only: the backup copies SQLite's
/// files through its backup API; PostgreSQL's are the server's to back up (`refusedOnPostgreSQL`).
@Suite(.enabled(if: !TestDatabases.onPostgres, "copies quarry.sqlite through SQLite's backup API"))
struct BackupTests {
    @Test func checkpointsAreCopiedButTheirHalfWrittenReplacementsAreNot() throws {
        let directory = try TemporaryDirectory("quarry-backup")
        defer { directory.remove() }
        let services = try Services(dataDirectory: "\(directory.path)/data")
        defer { services.close() }
        let run = "\(directory.path)/data/runs/run-1"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(run)/last.ckpt", contents: Data("whole".utf8)))
        #expect(FileManager.default.createFile(atPath: "\(run)/last.ckpt.tmp-41-x9", contents: Data("half".utf8)))

        try Backup.make(services, to: "\(directory.path)/copy")

        let copied = try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/copy/runs/run-1")
        #expect(copied == ["last.ckpt"])
        #expect(FileManager.default.contents(atPath: "\(directory.path)/copy/runs/run-1/last.ckpt") == Data("whole".utf8))
    }

    /// Only the file blobs the copied database names are copied, and opening the copy to ask leaves no
    /// journal files beside it.
    @Test func theBlobsCopiedAreThoseTheCopiedDatabaseNames() throws {
        let directory = try TemporaryDirectory("quarry-backup-blobs")
        defer { directory.remove() }
        let services = try Services(dataDirectory: "\(directory.path)/data")
        defer { services.close() }
        let account = try services.accounts.create(name: "owner").account.id
        let project = try services.projects.create(accountID: account, name: "P").id
        // Past the inline limit, so both are files in the shards.
        let named = try services.blobs.put((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        let stray = try services.blobs.put((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try services.database.write { db in
            _ = try db.run("UPDATE projects SET instructions_blob = ? WHERE id = ?", [named.hex, project])
        }

        try Backup.make(services, to: "\(directory.path)/copy")

        let copy = try LocalBlobStore(root: "\(directory.path)/copy/blobs")
        defer { copy.close() }
        #expect(copy.contains(named) && !copy.contains(stray))
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/copy").sorted()
        #expect(left == ["blobs", "quarry.sqlite", "runs"] || left == ["blobs", "quarry.sqlite"])
    }
}

/// On PostgreSQL there is no file to copy: the backup says so rather than copying blobs alone.
@Suite(.enabled(if: TestDatabases.onPostgres, "only a PostgreSQL database is refused"))
struct PostgresBackupTests {
    @Test func refusedOnPostgreSQL() throws {
        try withServices("quarry-backup-postgres") { services in
            let copy = try TemporaryDirectory("quarry-backup-copy")
            defer { copy.remove() }
            #expect(throws: BackupError.notSQLite) { try Backup.make(services, to: "\(copy.path)/copy") }
        }
    }
}

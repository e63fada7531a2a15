import Foundation
import Learn
import Storage

/// `quarry admin backup` and `restore`: a consistent online copy of a data directory and its return.
///
///     PATH/quarry.sqlite         the database, through SQLite's backup API (one snapshot)
///     PATH/blobs/                inline.sqlite the same way, then the blob files the copied database names
///     PATH/runs/                 the runs' checkpoints (each written atomically)
///
/// The database goes first: everything it refers to was written before the row that refers to it,
/// and nothing is deleted within the blob collection's grace period, so the later copies hold at
/// least what the snapshot needs.
public enum Backup {
    public static func make(_ services: Services, to path: String) throws {
        let files = FileManager.default
        if files.fileExists(atPath: path), !(try files.contentsOfDirectory(atPath: path)).isEmpty {
            throw BackupError.notEmpty(path)
        }
        try files.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard let database = services.database as? SQLiteDatabase else { throw BackupError.notSQLite }
        try database.backup(to: "\(path)/quarry.sqlite")
        try services.blobs.backup(to: "\(path)/blobs", keeping: try referencedBlobs(in: "\(path)/quarry.sqlite"))
        let runs = "\(services.dataDirectory)/runs"
        if files.fileExists(atPath: runs) { try copyCheckpoints(from: runs, to: "\(path)/runs") }
    }

    /// The blobs the copied database refers to (`BlobReferences`), read from the copy itself: the live
    /// database may already have moved on from the snapshot.
    private static func referencedBlobs(in copy: String) throws -> Set<BlobID> {
        let database = try SQLiteDatabase(path: copy, migrations: Migrations.all, readers: 1)
        defer { database.close() }
        return try database.read { db in try BlobReferences.referenced(on: db) }
    }

    /// Copies the runs' folders while training may still write into them. A checkpoint is replaced by
    /// renaming a finished temporary file over it, so an open copy keeps reading one whole version; the
    /// temporary files themselves are half-written and skipped, and one that vanishes between listing
    /// and copying (renamed or removed by its writer) was never part of the backup.
    private static func copyCheckpoints(from source: String, to target: String) throws {
        let files = FileManager.default
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: source) where !CheckpointFile.isBeingWritten(name) {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: "\(source)/\(name)", isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try copyCheckpoints(from: "\(source)/\(name)", to: "\(target)/\(name)")
                continue
            }
            do {
                try files.copyItem(atPath: "\(source)/\(name)", toPath: "\(target)/\(name)")
            } catch CocoaError.fileReadNoSuchFile, CocoaError.fileNoSuchFile {
                continue
            }
        }
    }

    /// Copies a backup into `dataDirectory`, which must not hold a database yet, then opens it to check
    /// it: migrations current, `PRAGMA integrity_check` ok.
    public static func restore(from path: String, into dataDirectory: String) throws {
        let files = FileManager.default
        guard files.fileExists(atPath: "\(path)/quarry.sqlite") else { throw BackupError.notABackup(path) }
        guard !files.fileExists(atPath: "\(dataDirectory)/quarry.sqlite") else { throw BackupError.dataDirectoryInUse(dataDirectory) }
        try files.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for entry in try files.contentsOfDirectory(atPath: path).sorted() {
            let target = "\(dataDirectory)/\(entry)"
            if files.fileExists(atPath: target) { try files.removeItem(atPath: target) }
            try files.copyItem(atPath: "\(path)/\(entry)", toPath: target)
        }
        let services = try Services(dataDirectory: dataDirectory)
        defer { services.close() }
        let verdict = try services.database.integrityCheck()
        guard verdict == "ok" else { throw BackupError.damaged(verdict) }
    }
}

public enum BackupError: Error, Equatable, CustomStringConvertible {
    case notEmpty(String)
    case notABackup(String)
    case dataDirectoryInUse(String)
    case damaged(String)
    case notSQLite

    public var description: String {
        switch self {
        case .notEmpty(let path): "\(path) is not empty; back up into a new folder"
        case .notABackup(let path): "\(path) holds no quarry.sqlite: not a backup"
        case .dataDirectoryInUse(let path): "\(path) already holds a database; restore into an empty data directory"
        case .damaged(let verdict): "the restored database fails its integrity check: \(verdict)"
        case .notSQLite: "this deployment's database is PostgreSQL: back it up with pg_dump and the bucket with the store's tools (docs/scale-out.md)"
        }
    }
}

import Crypto
import Foundation
import Storage

/// `quarry admin migrate`: copies a deployment on SQLite and local files to PostgreSQL, a bucket, or
/// both, then checks the copy, and leaves the source as it was (it is only read; with `--to-blobs`
/// alone the database stays the same one, and records the holds of the blobs put into the bucket).
///
/// The target database must be empty: it is migrated to this binary's schema and filled table by
/// table, parents before children. Blobs go first, so no copied row ever names a blob the target
/// lacks. The check counts every table's rows on both sides and reads every copied blob back from
/// the target store, hashing it.
public enum DeploymentCopy {
    public struct Target: Sendable {
        public var databaseURL: String?
        public var blobs: BlobStorage?

        public init(databaseURL: String?, blobs: BlobStorage?) {
            self.databaseURL = databaseURL
            self.blobs = blobs
        }
    }

    public struct Report: Sendable {
        /// Each copied table and its rows, in the order copied.
        public var tables: [(name: String, rows: Int)] = []
        public var blobs = 0
    }

    public enum Failure: Error, CustomStringConvertible {
        case nothingToDo
        case sourceNotSQLite
        /// Rows went into the target before `underlying` stopped the copy.
        case partial(any Error)
        case targetNotEmpty(table: String)
        case rowCountsDiffer(table: String, source: Int, target: Int)

        public var description: String {
            switch self {
            case .nothingToDo: "name --to-database postgres://… and/or --to-blobs s3://…"
            case .sourceNotSQLite: "the deployment to copy is already on PostgreSQL; migrate copies a SQLite deployment"
            case .targetNotEmpty(let table): "the target database is not empty (\(table) has rows); migrate into a new database"
            case .rowCountsDiffer(let table, let source, let target): "\(table): \(source) rows here, \(target) in the copy"
            case .partial(let underlying):
                "\(underlying)\nthe target database holds part of the copy: drop and create it again before the next try"
            }
        }
    }

    /// Rows read and written at a time.
    static let batch = 500

    public static func run(from services: Services, to target: Target, progress: (String) -> Void) throws -> Report {
        guard target.databaseURL != nil || target.blobs != nil else { throw Failure.nothingToDo }
        guard let source = services.database as? SQLiteDatabase else { throw Failure.sourceNotSQLite }
        let database: any Database = try target.databaseURL.map {
            try PostgresDatabase(url: $0, migrations: Migrations.all, connections: 2)
        } ?? source
        defer { if database !== source { database.close() } }
        // Holds and heartbeats are the running processes', not the deployment's: the copy's own puts
        // and processes make theirs.
        let plan = try source.copyPlan()
        let tables = plan.tables.filter { !["blob_holds", "processes"].contains($0.name) }
        if database !== source { try checkEmpty(database, tables: tables.map(\.name)) }

        var report = Report()
        if let storage = target.blobs {
            // The target store's spool and local copies, only for the copy's time.
            let scratch = "\(services.dataDirectory)/migrate-\(SecureRandom.hex(bytes: 4))"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let store = try storage.open(dataDirectory: scratch, database: database, settings: services.settings)
            defer { store.close() }
            report.blobs = try copyBlobs(from: services.blobs, to: store, referenced: try source.read { try BlobReferences.referenced(on: $0) },
                                         progress: progress)
        }
        if database !== source {
            do {
                for table in tables {
                    let rows = try copyTable(table, from: source, to: database)
                    report.tables.append((table.name, rows))
                    progress("\(table.name): \(rows) rows")
                }
                for table in tables where !table.deferred.isEmpty { try setDeferred(table, from: source, to: database) }
                try database.write { db in try settleDerivedColumns(on: db) }
                // Rows came with their ids: new ones must be numbered past them, and past those SQLite gave
                // to rows since deleted, which it would never give again.
                try (database as? PostgresDatabase)?.advanceIdentities(past: plan.counters)
                try verifyRowCounts(tables.map(\.name), source: source, target: database)
            } catch {
                throw Failure.partial(error)
            }
        }
        return report
    }

    private static func checkEmpty(_ database: any Database, tables: [String]) throws {
        try database.read { db in
            for table in tables where try db.queryOne("SELECT 1 AS found FROM \(table) LIMIT 1") != nil {
                throw Failure.targetNotEmpty(table: table)
            }
        }
    }

    /// Copies the rows `batch` at a time in the source's rowid order, keeping their ids; the plan's
    /// deferred columns go in as NULL (`setDeferred` fills them).
    private static func copyTable(_ table: CopyPlan.Table, from source: SQLiteDatabase, to target: any Database) throws -> Int {
        var copied = 0
        var after: Int64?
        repeat {
            let page = try source.rows(of: table.name, after: after, limit: batch)
            let names = page.columns.map { "\"\($0)\"" }.joined(separator: ", ")
            let insert = "INSERT INTO \(table.name) (\(names)) VALUES (\(page.columns.map { _ in "?" }.joined(separator: ", ")))"
            let deferred = Set(table.deferred.compactMap { page.columns.firstIndex(of: $0) })
            try target.write { db in
                for values in page.values {
                    try db.run(insert, values.enumerated().map { deferred.contains($0.offset) ? SQLValue.null : $0.element })
                }
            }
            copied += page.values.count
            after = page.next
        } while after != nil
        return copied
    }

    /// Sets the columns `copyTable` left NULL, row by row through the primary key, now that every row
    /// they may name is in.
    private static func setDeferred(_ table: CopyPlan.Table, from source: SQLiteDatabase, to target: any Database) throws {
        let assignments = table.deferred.map { "\"\($0)\" = ?" }.joined(separator: ", ")
        let match = table.primaryKey.map { "\"\($0)\" = ?" }.joined(separator: " AND ")
        var after: Int64?
        repeat {
            let page = try source.rows(of: table.name, after: after, limit: batch)
            let set = table.deferred.compactMap { page.columns.firstIndex(of: $0) }
            let key = table.primaryKey.compactMap { page.columns.firstIndex(of: $0) }
            try target.write { db in
                for values in page.values where set.contains(where: { values[$0] != .null }) {
                    try db.run("UPDATE \(table.name) SET \(assignments) WHERE \(match)", set.map { values[$0] } + key.map { values[$0] })
                }
            }
            after = page.next
        } while after != nil
    }

    /// Columns the schema keeps with triggers counted each copied row a second time: the source's
    /// value came along with the row, then the trigger added to it. They are counted again.
    private static func settleDerivedColumns(on db: any Connection) throws {
        try db.run("UPDATE datasets SET image_count = (SELECT COUNT(*) FROM images WHERE images.dataset_id = datasets.id)")
    }

    private static func verifyRowCounts(_ tables: [String], source: SQLiteDatabase, target: any Database) throws {
        for table in tables {
            let here = try source.read { try $0.queryOne("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0 }
            let there = try target.read { try $0.queryOne("SELECT COUNT(*) AS n FROM \(table)")?.int("n") ?? 0 }
            guard here == there else { throw Failure.rowCountsDiffer(table: table, source: here, target: there) }
        }
    }

    /// Every referenced blob, put into the target and then read back from it and hashed.
    private static func copyBlobs(from source: any BlobStore, to target: any BlobStore, referenced: Set<BlobID>,
                                  progress: (String) -> Void) throws -> Int {
        let ids = referenced.sorted { $0.hex < $1.hex }
        for (index, id) in ids.enumerated() {
            let copied: BlobID = switch try source.contents(of: id) {
            case .bytes(let bytes): try target.put(bytes)
            case .file(let path): try target.adopt(temporaryFile: try stage(path, in: target.temporaryDirectory))
            }
            guard copied == id else { throw StorageError.blobCorrupt(id, hashedTo: copied.hex) }
            if (index + 1) % 1000 == 0 { progress("blobs: \(index + 1) of \(ids.count) copied") }
        }
        for id in ids { try target.verify(id) }
        progress("blobs: \(ids.count) copied and read back")
        return ids.count
    }

    /// A copy of `path` in the target's spool, which `adopt` takes from.
    private static func stage(_ path: String, in directory: String) throws -> String {
        let copy = "\(directory)/migrate-\(SecureRandom.hex(bytes: 8))"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        return copy
    }
}

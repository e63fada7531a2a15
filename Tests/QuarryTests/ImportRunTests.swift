import Crypto
import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// Imports as they meet the blob store: an import that fails leaves no rows behind, and the small
/// blobs it had already written are collected like any unreferenced blob, after the grace period.
@Suite struct ImportRunTests {
    private static func jpeg(_ seed: Int) throws -> [UInt8] {
        let pixels = (0..<(64 * 48 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed &* 53 &+ $0 >> 5) }
        return try ImageEncoder.jpeg(Bitmap(width: 64, height: 48, channels: 3, pixels: pixels))
    }

    /// A trigger that fails every insert into images. SQLite's is a temporary one, on the one
    /// connection that writes; PostgreSQL has no temporary triggers on a lasting table, and this
    /// test's database is its own.
    private static func refuseImages(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON images BEGIN SELECT RAISE(ABORT, 'refused'); END"
        case .postgres:
            """
            CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
            CREATE TRIGGER refuse BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION refuse();
            """
        }
    }

    @Test func aFailedImportLeavesNoRowsAndItsSmallBlobsAreCollectedAfterTheGracePeriod() throws {
        let directory = try TemporaryDirectory("quarry-imports")
        defer { directory.remove() }
        let folder = "\(directory.path)/import/photos"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let images = try (0..<5).map { try Self.jpeg($0) }
        for (index, bytes) in images.enumerated() {
            #expect(FileManager.default.createFile(atPath: "\(folder)/\(index).jpg", contents: Data(bytes)))
        }
        let ids = images.map { BlobID(hex: Hex.encode(SHA256.hash($0)))! }
        var settings = try TestDatabases.settings()
        settings.importRoot = "\(directory.path)/import"
        let data = "\(directory.path)/data"

        do {
            let services = try Services(dataDirectory: data, settings: settings)
            defer { services.close() }
            let (account, _) = try services.accounts.create(name: "importer")
            let project = try services.projects.create(accountID: account.id, name: "photos")
            // The images' rows cannot commit: the import fails after its blobs are durable.
            try services.database.write { db in try db.execute(Self.refuseImages(db.dialect)) }
            let ended = JobReports(services.runs.jobs, kind: .importJob)
            let started = try services.imports.importFolder(accountID: account.id, projectID: project.id, path: "photos")
            #expect(ended.wait(started.id, until: { !$0.isActive }) == .failed)
            let job = try services.imports.job(accountID: account.id, projectID: project.id, id: started.id)

            #expect(job.status == .failed && job.imported == 0 && job.datasetID == nil)
            let rows = try services.database.read { db in
                try db.queryOne("SELECT (SELECT count(*) FROM images) + (SELECT count(*) FROM datasets) AS n")?.int("n")
            }
            #expect(rows == 0)
            #expect(ids.allSatisfy { services.blobs.contains($0) })
            try services.collectBlobs()
            #expect(ids.allSatisfy { services.blobs.contains($0) }, "collected before the grace period")
        }

        settings.blobGracePeriod = .zero
        let services = try Services(dataDirectory: data, settings: settings)
        defer { services.close() }
        #expect(try services.collectBlobs() == ids.count)
        #expect(ids.allSatisfy { !services.blobs.contains($0) })
        let thumbnails = try services.database.read { db in try db.queryOne("SELECT count(*) AS n FROM thumbnails")?.int("n") }
        #expect(thumbnails == 0)
    }
}

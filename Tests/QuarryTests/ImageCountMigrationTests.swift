import Foundation
import Imaging
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// Migration 13 on a database that already holds images: the backfill counts them, and the triggers
/// keep the count from then on.
/// SQLite only: the schema is rewound with SQLite's statements (triggers dropped by name alone), and a
/// PostgreSQL database never holds data before migration 13, as it is made with every migration at once.
@Suite(.enabled(if: !TestDatabases.onPostgres, "rewinds the schema with SQLite's statements; PostgreSQL databases start at the latest"))
struct ImageCountMigrationTests {
    private static func png(_ seed: UInt8) throws -> IncomingFile {
        let pixels = (0..<(8 * 8 * 3)).map { UInt8(truncatingIfNeeded: $0) &+ seed }
        return IncomingFile(fileName: "\(seed).png", source: .bytes(try ImageEncoder.png(Bitmap(width: 8, height: 8, channels: 3, pixels: pixels))))
    }

    @Test func existingImagesAreCountedWhenTheColumnArrives() throws {
        let directory = try TemporaryDirectory("quarry-migration-13")
        defer { directory.remove() }
        do {
            let services = try Services(dataDirectory: directory.path)
            defer { services.close() }
            let (account, _) = try services.accounts.create(name: "counts")
            _ = try services.projects.create(accountID: account.id, name: "P")
            _ = try services.datasets.create(accountID: account.id, projectName: "P", name: "three", license: "", files: try (0..<3).map { try Self.png($0) })
            _ = try services.datasets.create(accountID: account.id, projectName: "P", name: "one", license: "", files: [try Self.png(9)])
            // Back to the schema of version 12: no counter, no triggers, and the later migrations not yet applied.
            try services.database.write { db in
                try db.execute("""
                    DROP TRIGGER images_counted; DROP TRIGGER images_uncounted; DROP INDEX account_sessions_account;
                    ALTER TABLE datasets DROP COLUMN image_count; ALTER TABLE evaluations DROP COLUMN device;
                    ALTER TABLE projects DROP COLUMN prelabel_device;
                    ALTER TABLE import_jobs DROP COLUMN started_at; ALTER TABLE model_exports DROP COLUMN started_at;
                    ALTER TABLE runs DROP COLUMN error_type; ALTER TABLE evaluations DROP COLUMN error_type;
                    ALTER TABLE model_exports DROP COLUMN error_type; ALTER TABLE import_jobs DROP COLUMN error_type;
                    DROP TABLE prelabel_jobs; ALTER TABLE tasks DROP COLUMN link_base; DROP INDEX tasks_project_created;
                    ALTER TABLE runs DROP COLUMN data;
                    \(MigrationRewind.sinceDetectionResults)
                    DELETE FROM schema_migrations WHERE version >= 13;
                    """)
            }
        }
        let services = try Services(dataDirectory: directory.path)
        defer { services.close() }
        let counts = try services.database.read { db in
            try db.query("SELECT name, image_count FROM datasets ORDER BY name").map { (try $0.string("name"), try $0.int("image_count")) }
        }
        #expect(counts.map(\.0) == ["one", "three"] && counts.map(\.1) == [1, 3])
    }
}

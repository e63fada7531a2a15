@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// Migration 20 on a database whose jobs failed before failures had types: each is typed from its
/// message as far as the message says, the rest `internal`, and jobs that did not fail stay untyped.
/// SQLite only: a PostgreSQL database never holds jobs before migration 20, as it is made with every
/// migration at once.
@Suite(.enabled(if: !TestDatabases.onPostgres, "rewinds the schema to version 19; PostgreSQL databases start at the latest"))
struct JobErrorTypesMigrationTests {
    @Test func earlierFailuresAreTypedFromTheirMessages() throws {
        let directory = try TemporaryDirectory("quarry-migration-20")
        defer { directory.remove() }
        let failures: [(id: String, error: String?, type: String?)] = [
            ("restarted", "interrupted by a restart; start the import again", "interrupted"),
            ("memory", "gpu:0 is out of memory (CUDA_ERROR_OUT_OF_MEMORY): asked for 2.0 MiB, 0 bytes free of 8.0 MiB", "out_of_memory"),
            ("disk", "the disk is full", "internal"),
            ("fine", nil, nil),
        ]
        do {
            let services = try Services(dataDirectory: directory.path)
            defer { services.close() }
            let account = try services.accounts.create(name: "jobs").account.id
            let project = try services.projects.create(accountID: account, name: "P").id
            // Back to the schema of version 19, with failures recorded as it recorded them.
            try services.database.write { db in
                try db.execute("""
                    ALTER TABLE runs DROP COLUMN error_type; ALTER TABLE evaluations DROP COLUMN error_type;
                    ALTER TABLE model_exports DROP COLUMN error_type; ALTER TABLE import_jobs DROP COLUMN error_type;
                    ALTER TABLE prelabel_jobs DROP COLUMN error_type;
                    DROP INDEX tasks_project_created; ALTER TABLE runs DROP COLUMN data;
                    \(MigrationRewind.sinceDetectionResults)
                    \(MigrationRewind.prelabelJobsSinceProcesses)
                    DELETE FROM schema_migrations WHERE version >= 20;
                    """)
                for failure in failures {
                    try db.run("""
                        INSERT INTO import_jobs (id, account_id, project_id, source, status, error, created_at)
                        VALUES (?, ?, ?, 'upload', ?, ?, ?)
                        """, [failure.id, account, project, failure.error == nil ? "completed" : "failed", failure.error, Timestamp.now()])
                }
            }
        }
        let services = try Services(dataDirectory: directory.path)
        defer { services.close() }
        for failure in failures {
            let type = try services.database.read { db in
                try db.queryOne("SELECT error_type FROM import_jobs WHERE id = ?", [failure.id])?.optionalString("error_type")
            }
            #expect(type == failure.type, "\(failure.id)")
        }
    }
}

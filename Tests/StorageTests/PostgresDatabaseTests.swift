import Foundation
@testable import Storage
import Synchronization
import Testing

/// Transactions, retries and migrations of `PostgresDatabase`, on a private server.
@Suite(.postgres)
struct PostgresDatabaseTests {
    private struct Refusal: Error {}

    private func count(_ table: String, in database: PostgresDatabase) throws -> SQLValue {
        try database.read { try $0.scalar("SELECT count(*) FROM \(table)") }
    }

    @Test func aThrowingWriteIsRolledBack() throws {
        try withPostgres(migrations: [peopleSchema]) { database throws in
            #expect(throws: Refusal.self) {
                try database.write { db throws in
                    try db.run("INSERT INTO people (name) VALUES (?)", ["ada"])
                    throw Refusal()
                }
            }
            #expect(try count("people", in: database) == 0)
        }
    }

    /// PostgreSQL answers COMMIT of an aborted transaction with ROLLBACK and no error; a body that
    /// swallowed the failure must not seem to have committed.
    @Test func aWriteWhoseStatementFailedNeverSeemsCommitted() throws {
        try withPostgres(migrations: [peopleSchema]) { database throws in
            let error = try #require(throws: PostgresError.self) {
                try database.write { db throws in
                    try db.run("INSERT INTO people (name) VALUES (?)", ["ada"])
                    _ = try? db.run("INSERT INTO people (name) VALUES (?)", ["ada"])
                }
            }
            #expect(error.isUniqueConstraintViolation)
            #expect(try count("people", in: database) == 0)
        }
    }

    @Test func readsAreReadOnly() throws {
        try withPostgres(migrations: [peopleSchema]) { database throws in
            let error = try #require(throws: PostgresError.self) {
                try database.read { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
            }
            #expect(error.sqlState == "25006")
        }
    }

    /// Both transactions read the counter before either writes it, so one must lose: it is run again
    /// and sees the other's increment, and both increments land, once each.
    @Test func aSerializationConflictIsRunAgain() throws {
        let schema = Migration(version: 1, name: "counter", sql: """
            CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            INSERT INTO counter (id, n) VALUES (1, 0);
            """)
        try withPostgres(migrations: [schema]) { database throws in
            let arrived = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
            let failures = Mutex<[String]>([])
            let done = DispatchGroup()
            for me in 0..<2 {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    var attempts = 0
                    do {
                        try database.write { db throws in
                            attempts += 1
                            guard case .integer(let n) = try db.scalar("SELECT n FROM counter WHERE id = 1") else { throw Refusal() }
                            if attempts == 1 {
                                arrived[me].signal()
                                guard arrived[1 - me].wait(timeout: .now() + 30) == .success else { throw Refusal() }
                            }
                            try db.run("UPDATE counter SET n = ? WHERE id = 1", [n + 1])
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            done.wait()
            #expect(failures.withLock { $0 }.isEmpty)
            #expect(try database.read { try $0.scalar("SELECT n FROM counter") } == .integer(2))
            #expect(database.serializationRetries >= 1)
        }
    }

    /// Many writers reading and writing one row at once (a dataset's image count under concurrent uploads):
    /// every write commits, the ones that lost a conflict taking turns under the retry lock.
    @Test func writersContendingForOneRowAllCommit() throws {
        let schema = Migration(version: 1, name: "counter", sql: """
            CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
            INSERT INTO counter (id, n) VALUES (1, 0);
            """)
        let (writers, writes) = (8, 40)
        try withPostgres(migrations: [schema], connections: writers) { database throws in
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: writers) { _ in
                for _ in 0..<writes {
                    do {
                        try database.write { db throws in
                            guard case .integer(let n) = try db.scalar("SELECT n FROM counter WHERE id = 1") else { throw Refusal() }
                            try db.run("UPDATE counter SET n = ? WHERE id = 1", [n + 1])
                        }
                    } catch {
                        failures.withLock { $0.append("\(error)") }
                    }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try database.read { try $0.scalar("SELECT n FROM counter") } == .integer(Int64(writers * writes)))
        }
    }

    private let migrations = [
        Migration(version: 1, name: "log", sql: "CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);"),
        // Slow, so that a second process starting at once meets it half done.
        Migration(version: 2, name: "slow entry", sql: "SELECT pg_sleep(0.2); INSERT INTO log (entry) VALUES ('two');"),
        Migration(version: 5, name: "last entry", sql: "INSERT INTO log (entry) VALUES ('five');"),
    ]

    @Test func processesOpeningAtOnceMigrateOnce() throws {
        let migrations = migrations
        try PostgresServer.shared().withDatabase { url throws in
            let start = DispatchSemaphore(value: 0)
            let outcomes = Mutex<[String]>([])
            let done = DispatchGroup()
            for _ in 0..<2 {
                done.enter()
                Thread.detachNewThread {
                    defer { done.leave() }
                    start.wait()
                    do {
                        try PostgresDatabase(url: url, migrations: migrations, connections: 1).close()
                        outcomes.withLock { $0.append("opened") }
                    } catch {
                        outcomes.withLock { $0.append("\(error)") }
                    }
                }
            }
            start.signal()
            start.signal()
            done.wait()
            #expect(outcomes.withLock { $0 } == ["opened", "opened"])
            let database = try PostgresDatabase(url: url, migrations: migrations)
            defer { database.close() }
            try database.read { db throws in
                #expect(try db.query("SELECT entry FROM log ORDER BY id").map { try $0.string("entry") } == ["two", "five"])
                let recorded = try db.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
                #expect(try recorded.map { try $0.int("version") } == [1, 2, 5])
                #expect(try recorded.map { try $0.string("name") } == ["log", "slow entry", "last entry"])
                #expect(try recorded.allSatisfy { try $0.string("applied_at").hasSuffix("Z") })
            }
        }
    }

    @Test func aDatabaseFromANewerBinaryIsRefused() throws {
        try PostgresServer.shared().withDatabase { url throws in
            try PostgresDatabase(url: url, migrations: migrations).close()
            #expect(throws: StorageError.unknownMigrations(versions: [5])) {
                try PostgresDatabase(url: url, migrations: Array(migrations.prefix(2)))
            }
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndNamesItself() throws {
        try PostgresServer.shared().withDatabase { url throws in
            let broken = Migration(version: 2, name: "half done", sql: """
                CREATE TABLE extra (x TEXT);
                INSERT INTO log (entry) VALUES ('partial');
                INSERT INTO missing VALUES (1);
                """)
            let error = try #require(throws: StorageError.self) {
                try PostgresDatabase(url: url, migrations: [migrations[0], broken])
            }
            guard case .postgresMigrationFailed(2, "half done", let cause) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(cause.sqlState == "42P01")
            let database = try PostgresDatabase(url: url, migrations: [migrations[0]])
            defer { database.close() }
            try database.read { db throws in
                #expect(try db.scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'extra'") == .integer(0))
                #expect(try db.scalar("SELECT count(*) FROM log") == .integer(0))
                #expect(try db.scalar("SELECT string_agg(version::text, ',') FROM schema_migrations") == .text("1"))
            }
        }
    }

    @Test func aPostgresOverrideReplacesTheTranslation() throws {
        let migration = Migration(version: 1, name: "override", sql: "CREATE VIRTUAL TABLE t USING fts5(x);",
                                  postgres: "CREATE TABLE t (x TEXT);")
        try withPostgres(migrations: [migration]) { database throws in
            #expect(try count("t", in: database) == .integer(0))
        }
    }

    /// The shape of Quarry's image counts (migration 13): SQLite triggers, translated, keep counting.
    @Test func translatedTriggersRun() throws {
        let schema = Migration(version: 1, name: "counted", sql: """
            CREATE TABLE datasets (id INTEGER PRIMARY KEY AUTOINCREMENT, image_count INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE images (id INTEGER PRIMARY KEY AUTOINCREMENT, dataset_id INTEGER NOT NULL REFERENCES datasets(id));
            CREATE TRIGGER images_counted AFTER INSERT ON images BEGIN
                UPDATE datasets SET image_count = image_count + 1 WHERE id = NEW.dataset_id;
            END;
            CREATE TRIGGER images_uncounted AFTER DELETE ON images BEGIN
                UPDATE datasets SET image_count = image_count - 1 WHERE id = OLD.dataset_id;
            END;
            """)
        try withPostgres(migrations: [schema]) { database throws in
            try database.write { db throws in
                let dataset = try db.queryOne("INSERT INTO datasets DEFAULT VALUES RETURNING id")?.int("id")
                try db.run("INSERT INTO images (dataset_id) VALUES (?1), (?1), (?1)", [dataset])
                try db.run("DELETE FROM images WHERE id = (SELECT min(id) FROM images)")
            }
            #expect(try database.read { try $0.scalar("SELECT image_count FROM datasets") } == .integer(2))
        }
    }

    @Test func healthSizeAndClose() throws {
        try withPostgres(migrations: [peopleSchema]) { database throws in
            #expect(try database.integrityCheck() == "ok")
            #expect(try database.storedBytes() > 1_000_000)
            database.close()
            #expect(throws: StorageError.databaseClosed) { try database.read { _ in } }
            #expect(throws: StorageError.databaseClosed) { try database.write { _ in } }
        }
    }

    /// The inner write would be a second transaction, committing on its own, and waiting forever
    /// for any row the outer one has locked.
    @Test func aWriteInsideAWriteOnTheSameThreadTraps() async throws {
        let url = try PostgresServer.shared().url()
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [url = url as String] in
            let database = try PostgresDatabase(url: url, migrations: [])
            try database.write { _ in try database.write { _ in } }
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("inside a write"))
    }

    @Test func anUnreachableServerFailsWithinTheTimeout() throws {
        let started = ContinuousClock.now
        let error = try #require(throws: StorageError.self) {
            // TEST-NET-1 (RFC 5737): routed nowhere, so only the connect timeout ends the attempt.
            try PostgresDatabase(url: "postgres://nobody:secret@192.0.2.1:5432/none", migrations: [], connectTimeout: 2)
        }
        guard case .unavailable = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

/// A server restart under a database in use: its own suite, since it stops the suite's server.
@Suite(.postgres)
struct PostgresRecoveryTests {
    @Test func aRestartedServerIsUsedAgainWithoutReopening() throws {
        let server = try PostgresServer.shared()
        try server.withDatabase { url throws in
            let database = try PostgresDatabase(url: url, migrations: [peopleSchema], connections: 2)
            defer { database.close() }
            try database.write { try $0.run("INSERT INTO people (name) VALUES ('before')") }
            // Down in the middle of a transaction: its next statement fails as unavailable.
            let midway = try #require(throws: StorageError.self) {
                try database.read { db throws in
                    _ = try db.query("SELECT * FROM people")
                    server.stop()
                    _ = try db.query("SELECT * FROM people")
                }
            }
            guard case .unavailable = midway else {
                Issue.record("unexpected error \(midway)")
                return
            }
            // Down between transactions: reconnecting fails, as unavailable too.
            for _ in 0..<3 {
                let error = try #require(throws: StorageError.self) { try database.read { try $0.query("SELECT 1") } }
                guard case .unavailable = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
            }
            try server.start()
            try database.write { try $0.run("INSERT INTO people (name) VALUES ('after')") }
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == .integer(2))
        }
    }
}

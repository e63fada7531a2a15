import Dispatch
import Foundation
import Storage
import Synchronization
import Testing

struct DatabaseTests {
    private struct Refusal: Error, Equatable {}

    @Test func writeRollsBackAndRethrowsWhenTheBodyThrows() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            #expect(throws: Refusal()) {
                try database.write { connection in
                    try connection.run("INSERT INTO people (name) VALUES ('ada')")
                    throw Refusal()
                }
            }
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == 0)
            try database.write { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == 1)
        }
    }

    @Test func readersSeeCommittedDataButNotAWriteInProgress() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { connection in
                try connection.run("INSERT INTO people (name) VALUES ('ada')")
                #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == 0)
            }
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == 1)
        }
    }

    @Test func oneReadSeesOneSnapshotWhileWritesCommit() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            let counts = try database.read { connection in
                let before = try connection.scalar("SELECT count(*) FROM people")
                try database.write { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
                return [before, try connection.scalar("SELECT count(*) FROM people")]
            }
            #expect(counts == [0, 0])
        }
    }

    @Test func eightThreadsOfTwoHundredWritesAllLandWhileReadersRead() throws {
        try withDatabase(migrations: [peopleSchema], readers: 2) { database throws in
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 10) { worker in
                do {
                    for n in 0..<200 {
                        if worker < 8 {
                            try database.write { try $0.run("INSERT INTO people (name) VALUES (?)", ["\(worker)-\(n)"]) }
                        } else {
                            _ = try database.read { try $0.scalar("SELECT count(*) FROM people") }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [])
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM people") } == 1600)
        }
    }

    @Test func foreignKeysAreEnforced() throws {
        let schema = Migration(version: 1, name: "tree", sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
            """)
        try withDatabase(migrations: [schema]) { database in
            let error = try #require(throws: SQLiteError.self) {
                try database.write { try $0.run("INSERT INTO child (parent_id) VALUES (99)") }
            }
            #expect(error.isForeignKeyViolation)
        }
    }

    @Test func connectionsUseWALWithFullSyncAndReadersAreQueryOnly() throws {
        try withDatabase { database in
            let writer = try database.write { connection in
                try ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only"]
                    .map { try connection.scalar("PRAGMA \($0)") }
            }
            #expect(writer == ["wal", 2, 1, 5000, 0])
            let reader = try database.read { connection in
                try ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "query_only"]
                    .map { try connection.scalar("PRAGMA \($0)") }
            }
            #expect(reader == ["wal", 2, 1, 5000, 1])
        }
    }

    @Test func readersRefuseToWrite() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            #expect(throws: SQLiteError.self) {
                try database.read { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
            }
        }
    }

    @Test func integrityCheckSaysOK() throws {
        try withDatabase(migrations: [peopleSchema]) { database throws in
            #expect(try database.integrityCheck() == "ok")
        }
    }

    @Test func checkpointEmptiesTheWAL() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
            try database.checkpoint()
            let size = try FileManager.default.attributesOfItem(atPath: database.path + "-wal")[.size] as? Int
            #expect(size == 0)
        }
    }

    @Test func closeIsIdempotentAndLaterCallsThrow() throws {
        try withTemporaryDirectory { directory in
            let database = try SQLiteDatabase(path: "\(directory)/test.db", migrations: [peopleSchema])
            try database.write { try $0.run("INSERT INTO people (name) VALUES ('ada')") }
            database.close()
            database.close()
            #expect(throws: StorageError.databaseClosed) { try database.write { _ in } }
            #expect(throws: StorageError.databaseClosed) { try database.read { _ in } }
            #expect(throws: StorageError.databaseClosed) { try database.checkpoint() }
            let reopened = try SQLiteDatabase(path: database.path, migrations: [peopleSchema])
            defer { reopened.close() }
            #expect(try reopened.read { try $0.scalar("SELECT name FROM people") } == "ada")
        }
    }

    @Test func aWriteInsideAWriteOnTheSameThreadTrapsInsteadOfDeadlocking() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/quarry-nested-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) { [directory = directory as String] in
            let database = try SQLiteDatabase(path: "\(directory)/test.db", migrations: [])
            try database.write { _ in try database.write { _ in } }
        }
        let standardError = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(standardError.contains("inside a write"))
    }
}

import Storage
import Testing

struct MigratorTests {
    private let migrations = [
        Migration(version: 1, name: "create log", sql: "CREATE TABLE log (entry TEXT NOT NULL);"),
        Migration(version: 2, name: "first entry", sql: "INSERT INTO log VALUES ('two');"),
        Migration(version: 5, name: "second entry", sql: "INSERT INTO log VALUES ('five');"),
    ]

    @Test func migrationsApplyOnceInOrderAndAreRecorded() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/test.db"
            for _ in 0..<2 {
                let database = try SQLiteDatabase(path: path, migrations: migrations)
                database.close()
            }
            let database = try SQLiteDatabase(path: path, migrations: migrations)
            defer { database.close() }
            let entries = try database.read { try $0.query("SELECT entry FROM log ORDER BY rowid") }
            #expect(try entries.map { try $0.string("entry") } == ["two", "five"])
            let recorded = try database.read { try $0.query("SELECT * FROM schema_migrations ORDER BY version") }
            #expect(try recorded.map { try $0.int("version") } == [1, 2, 5])
            #expect(try recorded.map { try $0.string("name") } == ["create log", "first entry", "second entry"])
            #expect(try recorded.allSatisfy { try $0.string("applied_at").hasSuffix("Z") })
        }
    }

    @Test func aFailingMigrationLeavesNoTraceAndNamesItself() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/test.db"
            try SQLiteDatabase(path: path, migrations: [migrations[0]]).close()
            let broken = Migration(version: 2, name: "half done", sql: """
                CREATE TABLE extra (x);
                INSERT INTO log VALUES ('partial');
                INSERT INTO missing VALUES (1);
                """)
            let error = try #require(throws: StorageError.self) {
                try SQLiteDatabase(path: path, migrations: [migrations[0], broken])
            }
            guard case .migrationFailed(let version, let name, let cause) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(version == 2 && name == "half done")
            #expect(cause.message.contains("no such table: missing"))
            #expect(error.description.contains("half done"))

            let database = try SQLiteDatabase(path: path, migrations: [migrations[0]])
            defer { database.close() }
            try database.read { connection throws in
                #expect(try connection.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'extra'") == 0)
                #expect(try connection.scalar("SELECT count(*) FROM log") == 0)
                #expect(try connection.scalar("SELECT group_concat(version) FROM schema_migrations") == "1")
            }
        }
    }

    @Test func aDatabaseFromANewerBinaryIsRefused() throws {
        try withTemporaryDirectory { directory in
            let path = "\(directory)/test.db"
            try SQLiteDatabase(path: path, migrations: migrations).close()
            #expect(throws: StorageError.unknownMigrations(versions: [5])) {
                try SQLiteDatabase(path: path, migrations: Array(migrations.prefix(2)))
            }
        }
    }

    @Test func rebuildingAReferencedTableKeepsTheRowsThatReferenceIt() throws {
        let schema = Migration(version: 1, name: "tree", sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE);
            INSERT INTO parent VALUES (1);
            INSERT INTO child (parent_id) VALUES (1);
            """)
        let rebuild = Migration(version: 2, name: "rebuild parent", sql: """
            CREATE TABLE parent_new (id INTEGER PRIMARY KEY, label TEXT);
            INSERT INTO parent_new (id) SELECT id FROM parent;
            DROP TABLE parent;
            ALTER TABLE parent_new RENAME TO parent;
            """)
        try withDatabase(migrations: [schema, rebuild]) { database in
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM child") } == 1)
            let error = try #require(throws: SQLiteError.self) {
                try database.write { try $0.run("INSERT INTO child (parent_id) VALUES (2)") }
            }
            #expect(error.isForeignKeyViolation)
        }
    }

    @Test func aMigrationThatBreaksAForeignKeyIsRolledBack() throws {
        let schema = Migration(version: 1, name: "tree", sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));
            """)
        let orphan = Migration(version: 2, name: "orphan", sql: "INSERT INTO child (parent_id) VALUES (9);")
        try withTemporaryDirectory { directory in
            let error = try #require(throws: StorageError.self) {
                try SQLiteDatabase(path: "\(directory)/test.db", migrations: [schema, orphan])
            }
            guard case .migrationFailed(2, "orphan", let cause) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(cause.isForeignKeyViolation)
        }
    }
}

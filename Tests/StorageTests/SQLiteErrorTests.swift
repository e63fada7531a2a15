import Storage
import Testing

struct SQLiteErrorTests {
    @Test func aUniqueViolationCarriesItsCodesMessageAndSQL() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { try $0.run("INSERT INTO people (name) VALUES (?)", ["ada"]) }
            let sql = "INSERT INTO people (name) VALUES (?)"
            let error = try #require(throws: SQLiteError.self) {
                try database.write { try $0.run(sql, ["ada"]) }
            }
            #expect(error.code == 19)
            #expect(error.extendedCode == 2067)
            #expect(error.sql == sql)
            #expect(error.message.contains("UNIQUE constraint failed: people.name"))
            #expect(error.isUniqueConstraintViolation)
            #expect(!error.isForeignKeyViolation && !error.isBusy)
            #expect(error.description.contains("people.name") && error.description.contains(sql))
        }
    }

    @Test func aPrimaryKeyCollisionCountsAsAUniqueViolation() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            let insert = "INSERT INTO people (id, name) VALUES (?, ?)"
            try database.write { try $0.run(insert, [1, "ada"]) }
            let error = try #require(throws: SQLiteError.self) {
                try database.write { try $0.run(insert, [1, "bob"]) }
            }
            #expect(error.extendedCode == 1555)
            #expect(error.isUniqueConstraintViolation)
        }
    }

    @Test func aSyntaxErrorNamesTheSQLThatFailed() throws {
        try withDatabase { database in
            let error = try #require(throws: SQLiteError.self) {
                try database.read { try $0.query("SELEC 1") }
            }
            #expect(error.code == 1)
            #expect(error.sql == "SELEC 1")
            #expect(error.message.contains("syntax error"))
        }
    }
}

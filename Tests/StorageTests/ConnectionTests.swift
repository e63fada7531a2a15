@testable import Storage
import Testing

struct ConnectionTests {
    @Test func theSameSQLTwiceReusesOneStatementWithNewArguments() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { connection in
                let insert = "INSERT INTO people (name, age) VALUES (?, ?)"
                try connection.run(insert, ["ada", 36])
                let cached = (connection as! SQLiteConnection).cachedStatementCount
                try connection.run(insert, ["bob", 41])
                #expect((connection as! SQLiteConnection).cachedStatementCount == cached)
            }
            let rows = try database.read { try $0.query("SELECT name, age FROM people ORDER BY id") }
            #expect(try rows.map { try $0.string("name") } == ["ada", "bob"])
            #expect(try rows.map { try $0.int("age") } == [36, 41])
        }
    }

    @Test func aStatementLeftAfterItsFirstRowOrAnErrorIsReusedFromTheStart() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { connection in
                try connection.run("INSERT INTO people (name) VALUES ('ada'), ('bob')")
                let insert = "INSERT INTO people (name) VALUES (?)"
                #expect(throws: SQLiteError.self) { try connection.run(insert, ["ada"]) }
                try connection.run(insert, ["cy"])
            }
            try database.read { connection throws in
                let select = "SELECT name FROM people ORDER BY id"
                #expect(try connection.queryOne(select)?.string("name") == "ada")
                #expect(try connection.query(select).count == 3)
            }
        }
    }

    @Test func theStatementCacheStaysBounded() throws {
        try withDatabase { database in
            try database.read { connection throws in
                for n in 0..<100 {
                    #expect(try connection.scalar("SELECT \(n)") == .integer(Int64(n)))
                }
                #expect((connection as! SQLiteConnection).cachedStatementCount == 64)
            }
        }
    }

    @Test func runAnswersTheChangedRowCountAndReturningTheNewIDs() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.write { connection in
                let ids = try connection.query("INSERT INTO people (name) VALUES ('ada'), ('bob') RETURNING id")
                #expect(try ids.map { try $0.int("id") } == [1, 2])
                #expect(try connection.run("UPDATE people SET age = 1") == 2)
                #expect(try connection.run("DELETE FROM people WHERE name = ?", ["nobody"]) == 0)
            }
        }
    }

    @Test func queryOneAndScalarAnswerTheFirstRowOrNothing() throws {
        try withDatabase(migrations: [peopleSchema]) { database in
            try database.read { connection throws in
                #expect(try connection.queryOne("SELECT * FROM people") == nil)
                #expect(try connection.scalar("SELECT name FROM people") == .null)
                #expect(try connection.scalar("SELECT count(*) FROM people") == 0)
            }
        }
    }

    @Test func everyStorageClassRoundTripsIncludingEmptyTextAndBlob() throws {
        try withDatabase { database in
            let values: [SQLValue] = [
                .null, .integer(.max), .integer(.min), .real(-0.5), .text(""), .text("naïve \u{0} 日本"), .blob([]), .blob([0, 255, 7]),
            ]
            try database.read { connection throws in
                for value in values {
                    #expect(try connection.scalar("SELECT ?", [value]) == value)
                }
            }
        }
    }

    @Test func executeRunsAScriptOfSeveralStatements() throws {
        try withDatabase { database in
            try database.write { connection in
                try connection.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);")
                #expect(try connection.scalar("SELECT sum(x) FROM t") == 3)
            }
        }
    }

    @Test func singleStatementCallsRefuseASecondStatementButAllowATrailingComment() throws {
        try withDatabase { database in
            try database.read { connection in
                #expect(try connection.scalar("SELECT 1; -- done") == 1)
                let error = try #require(throws: SQLiteError.self) { try connection.query("SELECT 1; SELECT 2") }
                #expect(error.message.contains("more than one statement"))
                #expect(throws: SQLiteError.self) { try connection.query("  -- nothing ") }
            }
        }
    }

    @Test func aWrongArgumentCountIsRefusedRatherThanBoundAsNull() throws {
        try withDatabase { database in
            try database.read { connection in
                let error = try #require(throws: SQLiteError.self) { try connection.query("SELECT ?, ?", [1]) }
                #expect(error.message == "expected 2 arguments, got 1")
                #expect(try connection.scalar("SELECT ?", [5]) == 5)
            }
        }
    }

    @Test func aConnectionKeptPastItsDatabaseRefusesWork() throws {
        let kept = try withDatabase { database in try database.read { $0 } }
        #expect(throws: StorageError.databaseClosed) { try kept.query("SELECT 1") }
    }
}

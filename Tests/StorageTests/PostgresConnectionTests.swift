import Foundation
@testable import Storage
import Testing

/// Statements, arguments and results through `PostgresConnection`, on a private server.
@Suite(.postgres)
struct PostgresConnectionTests {
    private let values = Migration(version: 1, name: "values", sql: """
        CREATE TABLE cells (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB);
        """)

    /// Stores `value` in the column of its kind and reads it back.
    private func roundTrip(_ value: SQLValue, column: String, on database: PostgresDatabase) throws -> SQLValue {
        let id = try database.write { db throws in
            try db.queryOne("INSERT INTO cells (\(column)) VALUES (?) RETURNING id", [value])?.int("id")
        }
        return try database.read { db throws in try db.queryOne("SELECT \(column) FROM cells WHERE id = ?", [id])?[column] } ?? .null
    }

    @Test func everyKindOfValueRoundTrips() throws {
        try withPostgres(migrations: [values]) { database throws in
            for integer: Int64 in [0, 1, -1, .max, .min] {
                #expect(try roundTrip(.integer(integer), column: "i", on: database) == .integer(integer))
            }
            for real: Double in [0.0, 0.1, -2.5, 1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity] {
                #expect(try roundTrip(.real(real), column: "r", on: database) == .real(real))
            }
            guard case .real(let nan) = try roundTrip(.real(.nan), column: "r", on: database) else {
                Issue.record("NaN did not come back as a real")
                return
            }
            #expect(nan.isNaN)
            let large = String(repeating: "0123456789abcdef", count: 128 * 1024)
            for text in ["", "plain", "it's \"quoted\" \\ back", "héllo wörld 🦆 e\u{301}", large] {
                #expect(try roundTrip(.text(text), column: "t", on: database) == .text(text))
            }
            let everyByte = (0...255).map { UInt8($0) }
            for blob in [[], [0], everyByte, Array(repeating: 0x5C, count: 100_000)] as [[UInt8]] {
                #expect(try roundTrip(.blob(blob), column: "b", on: database) == .blob(blob))
            }
            for column in ["i", "r", "t", "b"] {
                #expect(try roundTrip(.null, column: column, on: database) == .null)
            }
        }
    }

    @Test func resultColumnsDecodeByType() throws {
        try withPostgres { database throws in
            let row = try #require(try database.read { db throws in
                try db.queryOne("""
                    SELECT true AS yes, false AS no, 7::int2 AS small, 70000::int4 AS medium, 1.5::float4 AS single,
                           12.00::numeric AS whole, 12.25::numeric AS fraction, (SELECT sum(x) FROM generate_series(1, 4) x) AS total,
                           'x'::varchar AS word, now()::date::text AS day
                    """)
            })
            #expect(row["yes"] == .integer(1) && row["no"] == .integer(0))
            #expect(try row.bool("yes") && !row.bool("no"))
            #expect(row["small"] == .integer(7) && row["medium"] == .integer(70000))
            #expect(row["single"] == .real(1.5))
            #expect(row["whole"] == .integer(12) && row["fraction"] == .real(12.25) && row["total"] == .integer(10))
            #expect(row["word"] == .text("x"))
            #expect(row.columnNames == ["yes", "no", "small", "medium", "single", "whole", "fraction", "total", "word", "day"])
        }
    }

    @Test func numberedPlaceholdersAreReusedAndLiteralsKeepTheirQuestionMarks() throws {
        try withPostgres { database throws in
            let row = try #require(try database.read { db throws in
                try db.queryOne("SELECT ?1::bigint + ?1::bigint AS doubled, ?::text AS next, '?' AS literal /* ? */", [21, "x"])
            })
            #expect(row["doubled"] == .integer(42) && row["next"] == .text("x") && row["literal"] == .text("?"))
            let error = try #require(throws: PostgresError.self) {
                try database.read { db throws in try db.query("SELECT ?::text, ?::text", ["only one"]) }
            }
            #expect(error.message.contains("expected 2 arguments, got 1"))
        }
    }

    @Test func returningUpsertsAndChangeCounts() throws {
        let schema = Migration(version: 1, name: "counters", sql: """
            CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL);
            CREATE TABLE log (id INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL);
            """)
        try withPostgres(migrations: [schema]) { database throws in
            try database.write { db throws in
                let ids = try db.query("INSERT INTO log (entry) VALUES (?), (?) RETURNING id", ["a", "b"]).map { try $0.int("id") }
                #expect(ids == [1, 2])
                let upsert = "INSERT INTO counters (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = counters.n + excluded.n RETURNING n"
                #expect(try db.queryOne(upsert, ["x", 5])?.int("n") == 5)
                #expect(try db.queryOne(upsert, ["x", 3])?.int("n") == 8)
                #expect(try db.run("INSERT INTO counters (name, n) VALUES ('y', 1), ('z', 1)") == 2)
                #expect(try db.run("UPDATE counters SET n = n + 1") == 3)
                #expect(try db.run("UPDATE counters SET n = 0 WHERE name = 'nobody'") == 0)
                #expect(try db.run("DELETE FROM counters WHERE n < ?", [5]) == 2)
                try db.execute("INSERT INTO log (entry) VALUES ('c'); INSERT INTO log (entry) VALUES ('d');")
            }
            #expect(try database.read { try $0.scalar("SELECT count(*) FROM log") } == .integer(4))
        }
    }

    @Test func aUniqueViolationKeepsItsSQLState() throws {
        let schema = Migration(version: 1, name: "names", sql: "CREATE TABLE names (name TEXT NOT NULL UNIQUE);")
        try withPostgres(migrations: [schema]) { database throws in
            try database.write { try $0.run("INSERT INTO names VALUES (?)", ["taken"]) }
            let error = try #require(throws: PostgresError.self) {
                try database.write { try $0.run("INSERT INTO names VALUES (?)", ["taken"]) }
            }
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueConstraintViolation && !error.isRetryable && !error.isConnectionLost)
            #expect(error.sql == "INSERT INTO names VALUES (?)")
            #expect(error.detail?.contains("(name)=(taken)") == true)
            let asked: any Error = error
            #expect((asked as? any DatabaseError)?.isUniqueConstraintViolation == true)
        }
    }

    @Test func textWithANulCharacterIsRefused() throws {
        try withPostgres { database throws in
            let error = try #require(throws: PostgresError.self) {
                try database.read { try $0.query("SELECT ?::text", ["a\u{0}b"]) }
            }
            #expect(error.sqlState == "22021")
        }
    }
}

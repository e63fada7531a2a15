import Storage
import Testing

struct RowTests {
    private func sampleRow() throws -> Row {
        try withDatabase { database in
            try database.read { connection in
                try #require(try connection.queryOne("""
                    SELECT 7 AS i, 2.5 AS d, 'text' AS s, x'0102' AS b, 1 AS yes, 0 AS no, NULL AS absent, 3 AS whole
                    """))
            }
        }
    }

    @Test func typedGettersReadEachStorageClass() throws {
        let row = try sampleRow()
        #expect(try row.int("i") == 7)
        #expect(try row.int64("i") == 7)
        #expect(try row.double("d") == 2.5)
        #expect(try row.double("whole") == 3)
        #expect(try row.string("s") == "text")
        #expect(try row.blob("b") == [1, 2])
        #expect(try row.bool("yes") == true)
        #expect(try row.bool("no") == false)
    }

    @Test func optionalGettersAnswerNilForNullAndTheValueOtherwise() throws {
        let row = try sampleRow()
        #expect(try row.optionalInt("absent") == nil)
        #expect(try row.optionalInt64("absent") == nil)
        #expect(try row.optionalDouble("absent") == nil)
        #expect(try row.optionalString("absent") == nil)
        #expect(try row.optionalBool("absent") == nil)
        #expect(try row.optionalBlob("absent") == nil)
        #expect(try row.optionalInt("i") == 7)
        #expect(try row.optionalString("s") == "text")
    }

    @Test func requiredGettersThrowTypeMismatchForNullOrAnotherType() throws {
        let row = try sampleRow()
        #expect(throws: StorageError.typeMismatch(column: "absent")) { try row.int("absent") }
        #expect(throws: StorageError.typeMismatch(column: "s")) { try row.int("s") }
        #expect(throws: StorageError.typeMismatch(column: "i")) { try row.string("i") }
        #expect(throws: StorageError.typeMismatch(column: "s")) { try row.blob("s") }
        #expect(throws: StorageError.typeMismatch(column: "d")) { try row.bool("d") }
        #expect(throws: StorageError.typeMismatch(column: "s")) { try row.optionalDouble("s") }
    }

    @Test func columnsAreReadByPositionAndNameWithTheFirstDuplicateWinning() throws {
        let row = try withDatabase { database in
            try database.read { try #require(try $0.queryOne("SELECT 1 AS a, 2 AS b, 3 AS a")) }
        }
        #expect(row.columnNames == ["a", "b", "a"])
        #expect(row.count == 3)
        #expect(row[1] == 2)
        #expect(row["a"] == 1)
        #expect(row[2] == 3)
    }
}

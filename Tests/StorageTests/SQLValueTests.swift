import Storage
import Testing

struct SQLValueTests {
    @Test func literalsBuildTheMatchingStorageClass() {
        let values: [SQLValue] = [nil, 42, 2.5, "text", true, false]
        #expect(values == [.null, .integer(42), .real(2.5), .text("text"), .integer(1), .integer(0)])
    }

    @Test func swiftValuesConvertToTheirSQLValues() {
        let missing: String? = nil
        let present: Int? = 7
        let arguments: [any SQLConvertible] = [
            3, Int64(-4), 1.5, "hi", true, [UInt8]([1, 2]), missing, present, SQLValue.real(0.25),
        ]
        #expect(arguments.map(\.sqlValue) == [
            .integer(3), .integer(-4), .real(1.5), .text("hi"), .integer(1), .blob([1, 2]), .null, .integer(7), .real(0.25),
        ])
    }
}

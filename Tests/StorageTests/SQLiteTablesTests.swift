@testable import Storage
import Testing

/// What `quarry admin migrate` reads a SQLite deployment by: its tables parents first, and each table a
/// page at a time.
struct SQLiteTablesTests {
    private let schema = Migration(version: 1, name: "family", sql: """
        CREATE TABLE grandchildren (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES children(id));
        CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id),
                               sibling_id INTEGER REFERENCES children(id));
        CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB);
        CREATE TABLE loners (name TEXT NOT NULL);
        """)

    @Test func tablesComeAfterTheTablesTheirForeignKeysName() throws {
        try withDatabase(migrations: [schema]) { database in
            let order = try database.tablesParentsFirst()
            #expect(Set(order) == ["grandchildren", "children", "parents", "loners"])
            // A table naming itself (children.sibling_id) is no obstacle.
            #expect(try #require(order.firstIndex(of: "parents")) < #require(order.firstIndex(of: "children")))
            #expect(try #require(order.firstIndex(of: "children")) < #require(order.firstIndex(of: "grandchildren")))
        }
    }

    @Test func aTableIsReadAPageAtATimeInStorageOrderWithEveryValue() throws {
        try withDatabase(migrations: [schema]) { database in
            try database.write { db in
                for index in 1...5 {
                    try db.run("INSERT INTO parents (name, photo) VALUES (?, ?)", ["p\(index)", index == 3 ? nil : [UInt8(index)]])
                }
            }
            var pages: [[[SQLValue]]] = []
            var after: Int64?
            repeat {
                let page = try database.rows(of: "parents", after: after, limit: 2)
                #expect(page.columns == ["id", "name", "photo"])
                pages.append(page.values)
                after = page.next
            } while after != nil && pages.count < 10
            #expect(pages.map(\.count) == [2, 2, 1])
            let rows = pages.flatMap { $0 }
            #expect(rows.map { $0[1] } == (1...5).map { .text("p\($0)") })
            #expect(rows[2][2] == .null && rows[0][2] == .blob([1]))
            #expect(try database.rows(of: "loners", after: nil, limit: 2).next == nil)
        }
    }
}

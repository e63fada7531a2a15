@testable import Storage
import Testing

/// What `quarry admin migrate` reads a SQLite deployment by: its tables parents first, and each table a
/// page at a time.
struct SQLiteTablesTests {
    private let schema = Migration(version: 1, name: "family", sql: """
        CREATE TABLE grandchildren (id INTEGER PRIMARY KEY, child_id INTEGER NOT NULL REFERENCES children(id));
        CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parents(id),
                               sibling_id INTEGER REFERENCES children(id));
        CREATE TABLE parents (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, photo BLOB,
                              favourite_id INTEGER REFERENCES children(id));
        CREATE TABLE loners (name TEXT NOT NULL);
        """)

    @Test func tablesComeAfterTheTablesTheirRequiredForeignKeysNameAndTheRestWait() throws {
        try withDatabase(migrations: [schema]) { database in
            let plan = try database.copyPlan()
            let order = plan.tables.map(\.name)
            #expect(Set(order) == ["grandchildren", "children", "parents", "loners"])
            // parents and children name each other (as a project names one of its runs): the nullable side
            // waits, and a table naming itself (children.sibling_id) waits too.
            #expect(try #require(order.firstIndex(of: "parents")) < #require(order.firstIndex(of: "children")))
            #expect(try #require(order.firstIndex(of: "children")) < #require(order.firstIndex(of: "grandchildren")))
            let deferred = Dictionary(uniqueKeysWithValues: plan.tables.map { ($0.name, $0.deferred) })
            #expect(deferred == ["parents": ["favourite_id"], "children": ["sibling_id"], "grandchildren": [], "loners": []])
            #expect(plan.tables.first { $0.name == "parents" }?.primaryKey == ["id"])
        }
    }

    @Test func theCountersRememberIdsOfDeletedRows() throws {
        try withDatabase(migrations: [schema]) { database in
            try database.write { db in
                for index in 1...3 { try db.run("INSERT INTO parents (name) VALUES (?)", ["p\(index)"]) }
                try db.run("DELETE FROM parents WHERE id = 3")
            }
            #expect(try database.copyPlan().counters == ["parents": 3])
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
                #expect(page.columns == ["id", "name", "photo", "favourite_id"])
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

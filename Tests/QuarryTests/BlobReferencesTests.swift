import Foundation
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// The declared blob columns against the schema as migrated: a migration that adds a column naming a
/// blob without declaring it would let the collector delete what the column names.
@Suite struct BlobReferencesTests {
    @Test func everyBlobColumnOfTheSchemaIsDeclared() throws {
        try withServices("quarry-blob-columns") { services in
            let found = try services.database.read { db in
                try Set(Self.columns(on: db).filter { $0.column == "blob" || $0.column.hasSuffix("_blob") }.map { "\($0.table).\($0.column)" })
            }
            // A thumbnail is keyed by its image's blob and removed with the image; a hold keeps its blob for
            // a while by a time of its own (`BlobHolds`). Neither is a reference.
            let declared = Set(BlobReferences.columns.map { "\($0.table).\($0.column)" })
            #expect(found.subtracting(["thumbnails.image_blob", "blob_holds.blob"]) == declared)
        }
    }

    /// Every column of every table, from each backend's own catalog.
    private static func columns(on db: any Connection) throws -> [(table: String, column: String)] {
        switch db.dialect {
        case .sqlite:
            return try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").map { try $0.string("name") }.flatMap { table in
                try db.query("SELECT name FROM pragma_table_info(?)", [table]).map { (table, try $0.string("name")) }
            }
        case .postgres:
            return try db.query("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()")
                .map { (try $0.string("table_name"), try $0.string("column_name")) }
        }
    }
}

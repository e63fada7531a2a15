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
            let found = try services.database.read { db -> Set<String> in
                var found: Set<String> = []
                for table in try db.query("SELECT name FROM sqlite_master WHERE type = 'table'").map({ try $0.string("name") }) {
                    for column in try db.query("SELECT name FROM pragma_table_info(?)", [table]).map({ try $0.string("name") })
                    where column == "blob" || column.hasSuffix("_blob") {
                        found.insert("\(table).\(column)")
                    }
                }
                return found
            }
            // A thumbnail is keyed by its image's blob and removed with the image; a hold keeps its blob for
            // a while by a time of its own (`BlobHolds`). Neither is a reference.
            let declared = Set(BlobReferences.columns.map { "\($0.table).\($0.column)" })
            #expect(found.subtracting(["thumbnails.image_blob", "blob_holds.blob"]) == declared)
        }
    }
}

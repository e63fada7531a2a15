@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// Migration 24's `weights` table: names unique within an account, not across accounts; rows gone
/// with their account; and its blob column one the collector keeps.
@Suite struct WeightsMigrationTests {
    static func insert(_ name: String, account: String, on db: any Connection) throws {
        try db.run("""
            INSERT INTO weights (id, account_id, name, format, tensors, parameters, sha256, size, blob, created_at)
            VALUES (?, ?, ?, 'safetensors', 1, 1, ?, 1, ?, ?)
            """, [ID.make("weights"), account, name, String(repeating: "a", count: 64), String(repeating: "b", count: 64), Timestamp.now()])
    }

    @Test func namesAreUniquePerAccountAndGoWithTheirAccount() throws {
        try withServices("quarry-migration-24") { services in
            let (first, second) = (try services.accounts.create(name: "first").account.id, try services.accounts.create(name: "second").account.id)
            try services.database.write { db in
                try Self.insert("resnet18", account: first, on: db)
                try Self.insert("resnet18", account: second, on: db)
            }
            // A transaction of its own: on PostgreSQL a failed statement fails the rest of its transaction.
            #expect {
                try services.database.write { db in try Self.insert("resnet18", account: first, on: db) }
            } throws: { ($0 as? any DatabaseError)?.isUniqueConstraintViolation == true }
            #expect(try services.database.read { db in try BlobReferences.referenced(on: db) }.contains(BlobID(hex: String(repeating: "b", count: 64))!))
            try services.database.write { db in try db.run("DELETE FROM accounts WHERE id = ?", [first]) }
            #expect(try services.database.read { db in try db.scalar("SELECT count(*) FROM weights") } == 1)
        }
    }
}

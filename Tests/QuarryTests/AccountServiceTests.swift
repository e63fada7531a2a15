import Crypto
import Foundation
import Quarry
import QuarryTesting
import Storage
import Testing

@Suite struct AccountServiceTests {
    @Test func aNewAccountsKeyAuthenticatesAsThatAccount() throws {
        try withServices("quarry-accounts") { services in
            let (account, key) = try services.accounts.create(name: "  acme  ")
            #expect(account.name == "acme")
            #expect(account.id.hasPrefix("acct-") && account.id.count == 17)
            #expect(try services.accounts.authenticate(key: key) == account)
        }
    }

    @Test func onlyTheHashOfAKeyIsStored() throws {
        try withServices("quarry-accounts") { services in
            let (_, key) = try services.accounts.create(name: "hashed")
            let stored = try services.database.read { db in try db.query("SELECT lookup, hash FROM api_keys") }
            #expect(stored.count == 1)
            #expect(try stored[0].blob("hash") == SHA256.hash(Array(key.utf8)))
            let everything = try services.database.read { db in
                try db.query("SELECT * FROM api_keys").map { row in (0..<row.count).map { "\(row[$0])" }.joined() }
            }
            #expect(!everything.joined().contains(String(key.dropFirst(3).dropFirst(16))))
        }
    }

    @Test func unknownMalformedAndRevokedKeysAreRefused() throws {
        try withServices("quarry-accounts") { services in
            let (account, key) = try services.accounts.create(name: "rotating")
            #expect(try services.accounts.authenticate(key: "") == nil)
            #expect(try services.accounts.authenticate(key: "qk_short") == nil)
            #expect(try services.accounts.authenticate(key: SecretToken.generate(prefix: SecretToken.apiKeyPrefix).text) == nil)
            // Same lookup prefix, different secret: found as a candidate, refused by the hash.
            let forged = String(key.prefix(3 + 16)) + String(repeating: "0", count: 48)
            #expect(try services.accounts.authenticate(key: forged) == nil)

            // Verified, so remembered for a moment; a rotation in this process forgets it at once.
            #expect(try services.accounts.authenticate(key: key) == account && services.accounts.isRecentlyVerified(key: key))
            let (rotated, newKey) = try services.accounts.rotateKey(account: account.id)
            #expect(rotated == account)
            #expect(!services.accounts.isRecentlyVerified(key: key))
            #expect(try services.accounts.authenticate(key: key) == nil)
            #expect(try services.accounts.authenticate(key: newKey) == account)
            #expect(try services.accounts.list().first?.activeKeys == 1)
        }
    }

    @Test func namesAreUniqueAndValidated() throws {
        try withServices("quarry-accounts") { services in
            _ = try services.accounts.create(name: "taken")
            #expect(throws: AccountError.nameTaken("taken")) { try services.accounts.create(name: "taken") }
            #expect(throws: AccountError.invalidName("")) { try services.accounts.create(name: "") }
            #expect(throws: AccountError.invalidName("a\u{7}b")) { try services.accounts.create(name: "a\u{7}b") }
            #expect(throws: AccountError.notFound("ghost")) { try services.accounts.rotateKey(account: "ghost") }
        }
    }

    @Test func accountsAreFoundByIdOrName() throws {
        try withServices("quarry-accounts") { services in
            let (account, _) = try services.accounts.create(name: "findable")
            #expect(try services.accounts.find("findable") == account)
            #expect(try services.accounts.find(account.id) == account)
            #expect(try services.accounts.find("nobody") == nil)
        }
    }

    @Test func keysAreHexAfterTheirPrefixAndNeverRepeat() {
        let keys = (0..<100).map { _ in SecretToken.generate(prefix: SecretToken.apiKeyPrefix).text }
        #expect(Set(keys).count == 100)
        #expect(keys.allSatisfy { SecretToken(presented: $0, prefix: SecretToken.apiKeyPrefix) != nil })
        #expect(SecretToken(presented: "qk_" + String(repeating: "G", count: 64), prefix: SecretToken.apiKeyPrefix) == nil)
        #expect(SecretToken(presented: keys[0], prefix: SecretToken.workerPrefix) == nil)
    }
}

@Suite struct ServicesTests {
    /// Opening a data directory (as an admin command does beside a live server) touches nothing; the
    /// server's recovery at start clears what a crash left in the temp directory.
    @Test func onlyRecoveryClearsTemporaryLeftovers() throws {
        let directory = try TemporaryDirectory("quarry-services")
        defer { directory.remove() }
        // The same settings twice: on PostgreSQL the second opens the same database.
        let settings = try TestDatabases.settings()
        let first = try Services(dataDirectory: directory.path, settings: settings)
        let leftover = "\(first.spoolDirectory)/body-crashed"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data("partial".utf8)))
        first.close()
        let second = try Services(dataDirectory: directory.path, settings: settings)
        defer { second.close() }
        #expect(FileManager.default.fileExists(atPath: leftover))
        try second.recoverFromLastProcess()
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(try second.database.integrityCheck() == "ok")
    }
}

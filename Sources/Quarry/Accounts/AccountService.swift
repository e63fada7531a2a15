import Foundation
import Storage

/// Accounts and their API keys: creation, rotation, listing and authentication.
public struct AccountService: Sendable {
    let database: any Database
    private let verified: VerifiedKeys

    public init(database: any Database) {
        self.database = database
        verified = VerifiedKeys()
    }

    /// Creates an account with one key and returns the key's text, which is never stored or shown again.
    public func create(name rawName: String) throws -> (account: Account, key: String) {
        let name = try Self.validated(name: rawName)
        let account = Account(id: ID.make("acct"), name: name, createdAt: Timestamp.now())
        let key = SecretToken.generate(prefix: SecretToken.apiKeyPrefix)
        do {
            try database.write { db in
                try AccountStore.insert(account, on: db)
                try AccountStore.insertKey(key, accountID: account.id, createdAt: account.createdAt, on: db)
            }
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
            throw AccountError.nameTaken(name)
        }
        return (account, key.text)
    }

    /// The account named `name`, made (with a key nobody is shown) if there is none: the Studio's
    /// single-user mode acts as it. Whether it was made now.
    public func ensure(name rawName: String) throws -> (account: Account, created: Bool) {
        let name = try Self.validated(name: rawName)
        if let existing = try find(name) { return (existing, false) }
        do {
            return (try create(name: name).account, true)
        } catch AccountError.nameTaken {
            // Another process made it between the look and the insert.
            guard let made = try find(name) else { throw AccountError.notFound(name) }
            return (made, false)
        }
    }

    /// Revokes every key of the account and issues a new one. Old keys stop working at once in this
    /// process and within `VerifiedKeys.lifetime` in a server beside it, and so do dashboard sessions
    /// signed in with them: rotation is what an administrator does when a key has leaked, so no grace period.
    public func rotateKey(account idOrName: String) throws -> (account: Account, key: String) {
        let key = SecretToken.generate(prefix: SecretToken.apiKeyPrefix)
        let account = try database.write { db -> Account in
            guard let account = try AccountStore.find(idOrName, on: db) else { throw AccountError.notFound(idOrName) }
            let now = Timestamp.now()
            try AccountStore.revokeKeys(accountID: account.id, at: now, on: db)
            try BrowserSessions.accounts.endAll(of: account.id, on: db)
            try AccountStore.insertKey(key, accountID: account.id, createdAt: now, on: db)
            return account
        }
        verified.forget(accountID: account.id)
        return (account, key.text)
    }

    public func list() throws -> [AccountSummary] {
        try database.read { db in try AccountStore.list(on: db) }
    }

    public func find(_ idOrName: String) throws -> Account? {
        try database.read { db in try AccountStore.find(idOrName, on: db) }
    }

    /// The account a presented key belongs to, or nil (see `SecretToken.match`): from the keys verified
    /// in the last moment (`VerifiedKeys`), else from the database.
    public func authenticate(key presented: String) throws -> Account? {
        if let account = verified.account(for: presented) { return account }
        let account = try SecretToken.match(presented, prefix: SecretToken.apiKeyPrefix) { lookup in
            try database.read { db in try AccountStore.candidates(lookup: lookup, on: db) }
        }
        if let account { verified.remember(presented, for: account) }
        return account
    }

    /// Whether `presented` was verified in the last moment, so that authenticating it reads no database:
    /// cheap handlers then answer on the event loop.
    public func isRecentlyVerified(key presented: String) -> Bool {
        verified.account(for: presented) != nil
    }

    static func validated(name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(trimmed.count),
              !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AccountError.invalidName(name)
        }
        return trimmed
    }
}

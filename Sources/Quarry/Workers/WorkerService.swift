import Foundation
import Storage

/// Annotators and reviewers of an account and their workbench tokens.
public struct WorkerService: Sendable {
    let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    /// The worker with this email, created (with a first token, returned once) if the account has none.
    static func ensure(accountID: String, email rawEmail: String, on db: any Connection) throws -> (worker: Worker, newToken: String?) {
        let email = try normalized(email: rawEmail)
        if let existing = try WorkerStore.find(accountID: accountID, email: email, on: db) { return (existing, nil) }
        let worker = Worker(id: ID.make("wrk"), accountID: accountID, email: email, createdAt: Timestamp.now())
        let token = SecretToken.generate(prefix: SecretToken.workerPrefix)
        try WorkerStore.insert(worker, token: token, on: db)
        return (worker, token.text)
    }

    /// A fresh token for the worker (created if new); earlier tokens stop working. This is how a
    /// sign-in link is re-issued, since tokens are stored only as hashes.
    public func issueToken(accountID: String, email: String) throws -> (worker: Worker, token: String) {
        try database.write { db in
            let (worker, newToken) = try Self.ensure(accountID: accountID, email: email, on: db)
            if let newToken { return (worker, newToken) }
            let token = SecretToken.generate(prefix: SecretToken.workerPrefix)
            try WorkerStore.replaceToken(workerID: worker.id, token: token, on: db)
            return (worker, token.text)
        }
    }

    public func authenticate(token: String) throws -> Worker? {
        try SecretToken.match(token, prefix: SecretToken.workerPrefix) { lookup in
            try database.read { db in try WorkerStore.candidates(lookup: lookup, on: db) }
        }
    }

    public func list(accountID: String) throws -> [Worker] {
        try database.read { db in try WorkerStore.list(accountID: accountID, on: db) }
    }

    /// Lowercased and checked for the one shape every address has: text, one @, a dotted domain.
    static func normalized(email: String) throws -> String {
        let trimmed = email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard trimmed.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { throw WorkerError.invalidEmail(email) }
        return trimmed
    }
}

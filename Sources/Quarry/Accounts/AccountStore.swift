import Storage

/// The SQL for accounts and keys. Plain functions over a connection, so the service decides
/// which of them share a transaction.
enum AccountStore {
    static func insert(_ account: Account, on db: any Connection) throws {
        try db.run("INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)",
                   [account.id, account.name, account.createdAt])
    }

    static func insertKey(_ key: SecretToken, accountID: String, createdAt: String, on db: any Connection) throws {
        try db.run("INSERT INTO api_keys (account_id, lookup, hash, created_at) VALUES (?, ?, ?, ?)",
                   [accountID, key.lookup, key.hash, createdAt])
    }

    static func revokeKeys(accountID: String, at time: String, on db: any Connection) throws {
        try db.run("UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL", [time, accountID])
    }

    /// By id or, failing that, by name: the admin command line accepts either.
    static func find(_ idOrName: String, on db: any Connection) throws -> Account? {
        try db.queryOne("SELECT id, name, created_at FROM accounts WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
                        [idOrName, idOrName, idOrName]).map(account)
    }

    static func list(on db: any Connection) throws -> [AccountSummary] {
        try db.query("""
            SELECT a.id, a.name, a.created_at,
                   (SELECT COUNT(*) FROM api_keys k WHERE k.account_id = a.id AND k.revoked_at IS NULL) AS active_keys
            FROM accounts a ORDER BY a.created_at, a.id
            """).map { row in AccountSummary(account: try account(row), activeKeys: try row.int("active_keys")) }
    }

    /// Active keys whose lookup matches, with their hashes, for the constant-time comparison.
    static func candidates(lookup: String, on db: any Connection) throws -> [(hash: [UInt8], value: Account)] {
        try db.query("""
            SELECT k.hash, a.id, a.name, a.created_at FROM api_keys k JOIN accounts a ON a.id = k.account_id
            WHERE k.lookup = ? AND k.revoked_at IS NULL
            """, [lookup]).map { row in (try row.blob("hash"), try account(row)) }
    }

    private static func account(_ row: Row) throws -> Account {
        Account(id: try row.string("id"), name: try row.string("name"), createdAt: try row.string("created_at"))
    }
}

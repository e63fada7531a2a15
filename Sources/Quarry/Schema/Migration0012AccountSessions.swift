import Storage

extension Migrations {
    static let accountSessions = Migration(version: 12, name: "account sessions", sql: """
        -- A browser signed in to the dashboard with the account's API key: the SHA-256 of its
        -- cookie's secret, whose account, and when it expires.
        CREATE TABLE account_sessions (
            hash BLOB PRIMARY KEY,
            account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        """)
}

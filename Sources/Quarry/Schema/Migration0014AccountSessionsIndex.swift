import Storage

extension Migrations {
    static let accountSessionsIndex = Migration(version: 14, name: "account sessions by account", sql: """
        -- Rotating an account's key ends its dashboard sessions; worker_sessions had this index from
        -- the start, account_sessions did not, so each rotation scanned the table.
        CREATE INDEX account_sessions_account ON account_sessions(account_id);
        """)
}

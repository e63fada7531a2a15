import Storage

/// The schema, as numbered migrations. Append only: a released migration is never edited,
/// because databases in the field have already applied it.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "accounts and api keys", sql: """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL
            );
            -- Only a SHA-256 of each key is kept. `lookup` is a non-secret slice of the key that
            -- finds the candidate row; the hash comparison itself is constant-time.
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY,
                account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                lookup TEXT NOT NULL,
                hash BLOB NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT
            );
            CREATE INDEX api_keys_lookup ON api_keys(lookup) WHERE revoked_at IS NULL;
            CREATE INDEX api_keys_account ON api_keys(account_id);
            """),
        labeling,
        hitl,
        studio,
        imports,
        training,
        runs,
        evaluations,
        modelExports,
        prelabelers,
        workerSessions,
        accountSessions,
        imageCounts,
        accountSessionsIndex,
        evaluationDevices,
        prelabelDevices,
        jobStatuses,
        prelabelJobs,
        jobLinkBases,
        jobErrorTypes,
        jobListingIndex,
        runData,
        detectionResults,
        weights,
        blobHolds,
        processes,
        workClaims,
    ]
}

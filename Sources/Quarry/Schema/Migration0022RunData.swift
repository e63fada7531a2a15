import Storage

extension Migrations {
    static let runData = Migration(version: 22, name: "the data each run trained on", sql: """
        -- JSON: the snapshot id of the exact examples a run trains on (frozen beside its checkpoints, so a
        -- resume trains on them while labeling goes on) and what loading them counted. NULL for runs
        -- started before it was recorded.
        ALTER TABLE runs ADD COLUMN data TEXT;
        """)
}

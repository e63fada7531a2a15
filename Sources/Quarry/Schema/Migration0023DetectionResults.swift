import Storage

extension Migrations {
    static let detectionResults = Migration(version: 23, name: "detection evaluations' per-image results and data snapshots", sql: """
        -- A detection result lists its true positives, false positives and misses (JSON), and the classes
        -- of its true and found boxes, each between newlines, so filter_class matches any of them.
        ALTER TABLE evaluation_results ADD COLUMN details TEXT;
        ALTER TABLE evaluation_results ADD COLUMN classes TEXT;
        -- The snapshot id of the labeled images an evaluation measured (as a run's, RunData).
        ALTER TABLE evaluations ADD COLUMN snapshot TEXT;
        """)
}

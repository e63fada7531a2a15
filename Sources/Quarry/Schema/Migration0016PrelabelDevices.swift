import Storage

extension Migrations {
    static let prelabelDevices = Migration(version: 16, name: "pre-labeler devices", sql: """
        -- The device a project's pre-labeler computes on (cpu or gpu:N); those set before GPUs could
        -- compute ran on the CPU.
        ALTER TABLE projects ADD COLUMN prelabel_device TEXT NOT NULL DEFAULT 'cpu';
        """)
}

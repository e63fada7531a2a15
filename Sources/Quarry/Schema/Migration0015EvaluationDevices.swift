import Storage

extension Migrations {
    static let evaluationDevices = Migration(version: 15, name: "evaluation devices", sql: """
        -- The device an evaluation computes on (cpu or gpu:N). Evaluations made before GPUs could
        -- compute ran on the CPU.
        ALTER TABLE evaluations ADD COLUMN device TEXT NOT NULL DEFAULT 'cpu';
        """)
}

import Storage

extension Migrations {
    static let jobListingIndex = Migration(version: 21, name: "a project's tasks in creation order", sql: """
        -- GET /v1/jobs/{project_id} reads a project's jobs oldest first, a batch after the last one read;
        -- with only tasks_project (project_id, status) each batch sorted every task of the project again.
        CREATE INDEX tasks_project_created ON tasks(project_id, created_at, id);
        """)
}

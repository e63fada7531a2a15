import Learn
import Storage

/// The SQL for projects and their label classes. Every lookup takes the account id, so a query
/// can never reach another account's project.
enum ProjectStore {
    private static let columns = "id, account_id, name, category, task, status, allow_class_creation, auto_annotation, created_at, updated_at"

    static func insert(_ project: Project, on db: any Connection) throws {
        try db.run("INSERT INTO projects (\(columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            project.id, project.accountID, project.name, project.category, project.task.rawValue, project.status.rawValue,
            project.allowClassCreation, project.autoAnnotation, project.createdAt, project.updatedAt,
        ])
    }

    static func find(accountID: String, id: String, on db: any Connection) throws -> Project? {
        try db.queryOne("SELECT \(columns) FROM projects WHERE account_id = ? AND id = ?", [accountID, id]).map(project)
    }

    /// The account's project `id`: every service's first question about a project-scoped request. Another
    /// account's project is as absent as one that never was (404, not 403).
    static func owned(accountID: String, id: String, on db: any Connection) throws -> Project {
        guard let project = try find(accountID: accountID, id: id, on: db) else { throw ProjectError.notFound(id) }
        return project
    }

    /// A project by id alone, whichever account owns it: for the administrator's requests only.
    static func find(id: String, on db: any Connection) throws -> Project? {
        guard let row = try db.queryOne("SELECT account_id FROM projects WHERE id = ?", [id]) else { return nil }
        return try find(accountID: try row.string("account_id"), id: id, on: db)
    }

    /// The workers new jobs of the project go to, where named.
    static func defaultWorkers(projectID: String, on db: any Connection) throws -> (annotator: String?, reviewer: String?) {
        let row = try db.queryOne("SELECT default_annotator_id, default_reviewer_id FROM projects WHERE id = ?", [projectID])
        return (try row?.optionalString("default_annotator_id"), try row?.optionalString("default_reviewer_id"))
    }

    /// The instructions file a HITL project was made with.
    static func setInstructions(blob: BlobID, name: String, projectID: String, on db: any Connection) throws {
        try db.run("UPDATE projects SET instructions_blob = ?, instructions_name = ? WHERE id = ?", [blob.hex, name, projectID])
    }

    /// The worker new jobs of the project go to as annotator (or reviewer).
    static func setDefaultWorker(_ workerID: String, asReviewer: Bool, projectID: String, on db: any Connection) throws {
        try db.run("UPDATE projects SET \(asReviewer ? "default_reviewer_id" : "default_annotator_id") = ? WHERE id = ?", [workerID, projectID])
    }

    /// The project's pre-labeler: a run's checkpoint and the device it computes on; nil for none.
    static func prelabeler(projectID: String, on db: any Connection) throws -> Prelabeler.Setting? {
        guard let row = try db.queryOne("SELECT prelabel_run_id, prelabel_checkpoint, prelabel_device FROM projects WHERE id = ?",
                                        [projectID]),
              let runID = try row.optionalString("prelabel_run_id"), row["prelabel_checkpoint"] != .null else { return nil }
        return Prelabeler.Setting(runID: runID, checkpoint: try row.choice("prelabel_checkpoint"),
                                  device: Device(try row.string("prelabel_device")) ?? .cpu)
    }

    /// Sets the project's pre-labeler, or clears it with nil.
    static func setPrelabeler(_ setting: Prelabeler.Setting?, projectID: String, on db: any Connection) throws {
        if let setting {
            try db.run("UPDATE projects SET prelabel_run_id = ?, prelabel_checkpoint = ?, prelabel_device = ? WHERE id = ?",
                       [setting.runID, setting.checkpoint.rawValue, setting.device.description, projectID])
        } else {
            try db.run("UPDATE projects SET prelabel_run_id = NULL, prelabel_checkpoint = NULL WHERE id = ?", [projectID])
        }
    }

    static func find(accountID: String, name: String, on db: any Connection) throws -> Project? {
        try db.queryOne("SELECT \(columns) FROM projects WHERE account_id = ? AND name = ?", [accountID, name]).map(project)
    }

    static func list(accountID: String, on db: any Connection) throws -> [Project] {
        try db.query("SELECT \(columns) FROM projects WHERE account_id = ? ORDER BY created_at, id", [accountID]).map(project)
    }

    static func update(_ project: Project, on db: any Connection) throws {
        try db.run("""
            UPDATE projects SET name = ?, category = ?, task = ?, status = ?, allow_class_creation = ?, auto_annotation = ?,
                updated_at = ? WHERE id = ? AND account_id = ?
            """, [project.name, project.category, project.task.rawValue, project.status.rawValue, project.allowClassCreation,
                  project.autoAnnotation, project.updatedAt, project.id, project.accountID])
    }

    static func delete(id: String, on db: any Connection) throws {
        try db.run("DELETE FROM projects WHERE id = ?", [id])
    }

    static func classes(projectID: String, on db: any Connection) throws -> [LabelClass] {
        try db.query("SELECT name, type FROM label_classes WHERE project_id = ? ORDER BY position", [projectID]).map { row in
            LabelClass(name: try row.string("name"), type: LabelType(rawValue: try row.string("type")) ?? .tag)
        }
    }

    static func appendClass(_ labelClass: LabelClass, projectID: String, on db: any Connection) throws {
        try db.run("""
            INSERT INTO label_classes (project_id, position, name, type)
            VALUES (?, (SELECT COALESCE(MAX(position), -1) + 1 FROM label_classes WHERE project_id = ?), ?, ?)
            """, [projectID, projectID, labelClass.name, labelClass.type.rawValue])
    }

    private static func project(_ row: Row) throws -> Project {
        Project(id: try row.string("id"), accountID: try row.string("account_id"), name: try row.string("name"),
                category: try row.string("category"), task: ProjectTask(rawValue: try row.string("task")) ?? .classification,
                status: ProjectStatus(rawValue: try row.string("status")) ?? .active,
                allowClassCreation: try row.bool("allow_class_creation"), autoAnnotation: try row.bool("auto_annotation"),
                createdAt: try row.string("created_at"), updatedAt: try row.string("updated_at"))
    }
}

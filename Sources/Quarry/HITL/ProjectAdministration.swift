import Storage

/// What an administrator does to any account's project: activate it (optionally naming the workers
/// its jobs go to) or deactivate it. HITL projects accept jobs only while active.
public struct ProjectAdministration: Sendable {
    let database: Database

    public func setStatus(projectID: String, status: ProjectStatus, annotator: String? = nil, reviewer: String? = nil) throws -> Project {
        try database.write { db in
            guard let row = try db.queryOne("SELECT account_id FROM projects WHERE id = ?", [projectID]),
                  var project = try ProjectStore.find(accountID: try row.string("account_id"), id: projectID, on: db) else {
                throw ProjectError.notFound(projectID)
            }
            project.status = status
            project.updatedAt = Timestamp.now()
            try ProjectStore.update(project, on: db)
            let annotatorID = try annotator.map { try WorkerService.ensure(accountID: project.accountID, email: $0, on: db).worker.id }
            let reviewerID = try reviewer.map { try WorkerService.ensure(accountID: project.accountID, email: $0, on: db).worker.id }
            if let annotatorID {
                try db.run("UPDATE projects SET default_annotator_id = ? WHERE id = ?", [annotatorID, projectID])
                // Jobs that arrived with nobody to label them go to the newly named worker.
                try db.run("UPDATE tasks SET annotator_id = ? WHERE project_id = ? AND annotator_id IS NULL AND status = 'new'",
                           [annotatorID, projectID])
            }
            if let reviewerID {
                try db.run("UPDATE projects SET default_reviewer_id = ? WHERE id = ?", [reviewerID, projectID])
                try db.run("UPDATE tasks SET reviewer_id = ? WHERE project_id = ? AND reviewer_id IS NULL AND status IN ('new', 'progress', 'review')",
                           [reviewerID, projectID])
            }
            return project
        }
    }
}

import Storage

/// What an administrator does to any account's project: activate it (optionally naming the workers
/// its jobs go to) or deactivate it. HITL projects accept jobs only while active.
public struct ProjectAdministration: Sendable {
    let database: any Database

    public func setStatus(projectID: String, status: ProjectStatus, annotator: String? = nil, reviewer: String? = nil) throws -> Project {
        try database.write { db in
            guard var project = try ProjectStore.find(id: projectID, on: db) else { throw ProjectError.notFound(projectID) }
            project.status = status
            project.updatedAt = Timestamp.now()
            try ProjectStore.update(project, on: db)
            let annotatorID = try annotator.map { try WorkerService.ensure(accountID: project.accountID, email: $0, on: db).worker.id }
            let reviewerID = try reviewer.map { try WorkerService.ensure(accountID: project.accountID, email: $0, on: db).worker.id }
            if let annotatorID {
                try ProjectStore.setDefaultWorker(annotatorID, asReviewer: false, projectID: projectID, on: db)
                // Jobs that arrived with nobody to label them go to the newly named worker.
                try TaskStore.assignUnassigned(workerID: annotatorID, asReviewer: false, projectID: projectID, statuses: [.new], on: db)
            }
            if let reviewerID {
                try ProjectStore.setDefaultWorker(reviewerID, asReviewer: true, projectID: projectID, on: db)
                try TaskStore.assignUnassigned(workerID: reviewerID, asReviewer: true, projectID: projectID,
                                               statuses: [.new, .progress, .review], on: db)
            }
            return project
        }
    }
}

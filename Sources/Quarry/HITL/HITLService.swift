import Foundation
import Storage

/// A HITL job as a client asks for it.
public struct JobRequest: Sendable {
    public var projectID: String
    public var fileURLs: [String]
    /// The client's predictions as JSON text, kept as given.
    public var predictions: String?
    public var webhookURL: String?
    public var webhookHeaders: [String: String]
    public var expirationMinutes: Int?
    /// Where the client reached the server (`JobLinks`).
    public var linkBase: String?

    public init(projectID: String, fileURLs: [String], predictions: String? = nil, webhookURL: String? = nil,
                webhookHeaders: [String: String] = [:], expirationMinutes: Int? = nil, linkBase: String? = nil) {
        self.projectID = projectID
        self.fileURLs = fileURLs
        self.predictions = predictions
        self.webhookURL = webhookURL
        self.webhookHeaders = webhookHeaders
        self.expirationMinutes = expirationMinutes
        self.linkBase = linkBase
    }
}

/// The Humans-in-the-Loop side: projects made from an instructions URL, jobs made from file URLs.
public struct HITLService: Sendable {
    let database: any Database
    let downloads: FileDownloads
    /// Predicts for jobs sent without `predictions`, in projects that name a model.
    var prelabeler: Prelabeler?

    public static let maxFilesPerJob = 20

    /// Downloads the instructions (checked by extension and bytes) and creates a `new` project.
    public func createProject(accountID: String, name rawName: String, instructionsURL: String) throws -> Project {
        let name = try Validate.name(rawName, field: "name")
        let instructions = try downloads.fetch(instructionsURL, allowed: FileKind.instructionKinds)
        let now = Timestamp.now()
        // HITL clients agree the shape of results out of band, so workers may introduce classes.
        let project = Project(id: ID.make("proj"), accountID: accountID, name: name, category: "", task: .classification,
                              status: .new, allowClassCreation: true, autoAnnotation: false, createdAt: now, updatedAt: now)
        do {
            try database.write { db in
                try ProjectStore.insert(project, on: db)
                try ProjectStore.setInstructions(blob: instructions.blob, name: instructions.fileName, projectID: project.id, on: db)
            }
        } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
            throw ProjectError.nameTaken(name)
        }
        return project
    }

    /// Downloads every file, checks each, then creates the job in one transaction.
    public func createJob(accountID: String, _ request: JobRequest) throws -> String {
        guard (1...Self.maxFilesPerJob).contains(request.fileURLs.count) else {
            throw HITLError.invalid(field: "file_urls", reason: "must list 1 to \(Self.maxFilesPerJob) URLs")
        }
        if let minutes = request.expirationMinutes, !(1...1440).contains(minutes) {
            throw HITLError.invalid(field: "expiration_minutes", reason: "must be an integer from 1 to 1440")
        }
        try WebhookTarget.validate(url: request.webhookURL, headers: request.webhookHeaders)
        _ = try activeProject(accountID: accountID, id: request.projectID)

        let files = try request.fileURLs.map { try downloads.fetch($0, allowed: FileKind.jobFileKinds) }
        let now = Date()
        let created = Timestamp.format(now)
        let expiresAt = request.expirationMinutes.map { Timestamp.format(now.addingTimeInterval(Double($0) * 60)) }
        let (id, prelabels) = try database.write { db in
            guard let project = try ProjectStore.find(accountID: accountID, id: request.projectID, on: db) else {
                throw ProjectError.notFound(request.projectID)
            }
            guard project.status == .active else { throw HITLError.projectNotActive(id: project.id, status: project.status) }
            let datasetID = try HITLStore.jobsDataset(projectID: project.id, on: db)
            var imageIDs: [Int] = []
            for file in files {
                guard let info = file.image else { continue }
                let stored = StoredImage(blob: file.blob, fileName: file.fileName, info: info, size: file.size)
                imageIDs.append(try DatasetStore.insertImage(datasetID: datasetID, image: stored, createdAt: created, on: db))
            }
            let assignees = try ProjectStore.defaultWorkers(projectID: project.id, on: db)
            let task = LabelTask(id: ID.make("job"), projectID: project.id, source: .hitl, status: .new,
                                 annotatorID: assignees.annotator, reviewerID: assignees.reviewer, imageIDs: imageIDs,
                                 predictions: [], annotations: [], draft: nil, reviewComment: nil, createdAt: created,
                                 updatedAt: created, startedAt: nil, submittedAt: nil, finishedAt: nil)
            try TaskStore.insert(task, on: db)
            try HITLStore.setHITLFields(taskID: task.id, expiresAt: expiresAt, webhookURL: request.webhookURL,
                                        webhookHeaders: request.webhookHeaders, clientPredictions: request.predictions,
                                        linkBase: request.linkBase, on: db)
            for (position, file) in files.enumerated() {
                try HITLStore.insertFile(taskID: task.id, position: position, file: file, on: db)
            }
            // A client's own predictions stand; the pre-labeler predicts for the others.
            let prelabels = request.predictions == nil ? try PrelabelJobStore.queue(taskIDs: [task.id], projectID: project.id, on: db) : []
            return (task.id, prelabels)
        }
        prelabeler?.submit(prelabels)
        return id
    }

    /// The job if it is in the account's project `projectID`.
    public func job(accountID: String, projectID: String, jobID: String) throws -> HITLJob {
        guard let job = try database.read({ db in try HITLStore.job(id: jobID, on: db) }),
              job.accountID == accountID, job.task.projectID == projectID else { throw HITLError.jobNotFound(jobID) }
        return job
    }

    /// A page of the project's jobs, oldest first, and the total.
    public func jobs(accountID: String, projectID: String, page: Int, pageSize: Int) throws -> (jobs: [HITLJob], total: Int) {
        try database.read { db in
            guard try ProjectStore.find(accountID: accountID, id: projectID, on: db) != nil else { throw ProjectError.notFound(projectID) }
            return try HITLStore.jobs(projectID: projectID, page: page, pageSize: pageSize, on: db)
        }
    }

    /// Cancels a job that is still new or being worked on (`review` included: the client sees it as progress).
    public func cancel(accountID: String, projectID: String, jobID: String) throws -> HITLJob {
        try database.write { db in
            guard let job = try HITLStore.job(id: jobID, on: db), job.accountID == accountID, job.task.projectID == projectID else {
                throw HITLError.jobNotFound(jobID)
            }
            var task = job.task
            guard let next = task.status.applying(.cancel) else {
                throw HITLError.cannotCancel(job: jobID, status: task.status.rawValue)
            }
            task.status = next
            task.updatedAt = Timestamp.now()
            task.finishedAt = task.updatedAt
            try TaskStore.update(task, on: db)
            guard let updated = try HITLStore.job(id: jobID, on: db) else { throw HITLError.jobNotFound(jobID) }
            return updated
        }
    }

    private func activeProject(accountID: String, id: String) throws -> Project {
        let project = try ProjectService(database: database).find(accountID: accountID, id: id)
        guard project.status == .active else { throw HITLError.projectNotActive(id: id, status: project.status) }
        return project
    }
}

extension HITLService {
    /// The account's projects (all, or those listed; an unknown id is a 404) and their jobs' dates.
    public func metricsInput(accountID: String, projectIDs: [String]?) throws -> (projects: [(id: String, name: String)], jobs: [JobTimes]) {
        try database.read { db in
            var projects = try ProjectStore.list(accountID: accountID, on: db)
            if let projectIDs {
                for id in projectIDs where !projects.contains(where: { $0.id == id }) { throw ProjectError.notFound(id) }
                projects = projectIDs.compactMap { id in projects.first { $0.id == id } }
            }
            var jobs: [JobTimes] = []
            for project in projects { jobs += try HITLStore.times(projectID: project.id, on: db) }
            return (projects.map { ($0.id, $0.name) }, jobs)
        }
    }
}

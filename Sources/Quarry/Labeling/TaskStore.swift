import Foundation
import Storage

/// The SQL for tasks and their images. Labels are stored as JSON in the canonical shape.
enum TaskStore {
    /// A task's columns, read `FROM tasks t`. Its images are not among them: `tasks(_:on:)` reads them for
    /// all the rows at once (SQLite's `group_concat` and PostgreSQL's `string_agg` have no common spelling).
    static let columns = """
        t.id, t.project_id, t.source, t.status, t.annotator_id, t.reviewer_id, t.predictions, t.annotations, t.draft,
        t.review_comment, t.created_at, t.updated_at, t.started_at, t.submitted_at, t.finished_at
        """

    static func insert(_ task: LabelTask, on db: any Connection) throws {
        try db.run("""
            INSERT INTO tasks (id, project_id, source, status, annotator_id, reviewer_id, predictions, annotations, draft,
                               review_comment, created_at, updated_at, started_at, submitted_at, finished_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [task.id, task.projectID, task.source.rawValue, task.status.rawValue, task.annotatorID, task.reviewerID,
                  try json(task.predictions), try json(task.annotations), try task.draft.map(json), task.reviewComment,
                  task.createdAt, task.updatedAt, task.startedAt, task.submittedAt, task.finishedAt])
        for (position, imageID) in task.imageIDs.enumerated() {
            try db.run("INSERT INTO task_images (task_id, position, image_id) VALUES (?, ?, ?)", [task.id, position, imageID])
        }
    }

    /// Writes every mutable field back.
    static func update(_ task: LabelTask, on db: any Connection) throws {
        try db.run("""
            UPDATE tasks SET status = ?, annotator_id = ?, reviewer_id = ?, predictions = ?, annotations = ?, draft = ?,
                review_comment = ?, updated_at = ?, started_at = ?, submitted_at = ?, finished_at = ? WHERE id = ?
            """, [task.status.rawValue, task.annotatorID, task.reviewerID, try json(task.predictions), try json(task.annotations),
                  try task.draft.map(json), task.reviewComment, task.updatedAt, task.startedAt, task.submittedAt,
                  task.finishedAt, task.id])
    }

    /// Tasks whose expiry has passed by `now` and whose status can still expire.
    static func expiring(by now: Date, on db: any Connection) throws -> [String] {
        let open = TaskStatus.allCases.filter { $0.applying(.expire) != nil }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return try db.query("SELECT id FROM tasks WHERE expires_at IS NOT NULL AND expires_at <= ? AND status IN (\(open))",
                            [Timestamp.format(now)]).map { try $0.string("id") }
    }

    static func find(id: String, on db: any Connection) throws -> LabelTask? {
        try tasks(try db.query("SELECT \(columns) FROM tasks t WHERE t.id = ?", [id]), on: db).first
    }

    /// Tasks a worker holds in a role, newest work last, optionally only in some statuses.
    static func assigned(workerID: String, asReviewer: Bool, statuses: [TaskStatus], on db: any Connection) throws -> [LabelTask] {
        let column = asReviewer ? "reviewer_id" : "annotator_id"
        let marks = statuses.map { _ in "?" }.joined(separator: ", ")
        return try tasks(try db.query("""
            SELECT \(columns) FROM tasks t WHERE t.\(column) = ? AND t.status IN (\(marks)) ORDER BY t.created_at, t.id
            """, [workerID] + statuses.map(\.rawValue)), on: db)
    }

    /// JTheta tasks already made for images of a dataset, by image id.
    static func jthetaTasks(datasetID: Int, on db: any Connection) throws -> [Int: LabelTask] {
        let rows = try db.query("""
            SELECT \(columns), ti.image_id AS covered FROM tasks t JOIN task_images ti ON ti.task_id = t.id
            JOIN images i ON i.id = ti.image_id WHERE i.dataset_id = ? AND t.source = 'jtheta'
            """, [datasetID])
        let imageIDs = try imageIDs(taskIDs: try rows.map { try $0.string("id") }, on: db)
        var tasks: [Int: LabelTask] = [:]
        for row in rows { tasks[try row.int("covered")] = try task(row, imageIDs: imageIDs[try row.string("id")] ?? []) }
        return tasks
    }

    /// Gives the project's tasks in `statuses` that have no annotator (or reviewer) to `workerID`.
    static func assignUnassigned(workerID: String, asReviewer: Bool, projectID: String, statuses: [TaskStatus], on db: any Connection) throws {
        let column = asReviewer ? "reviewer_id" : "annotator_id"
        let placeholders = statuses.map { _ in "?" }.joined(separator: ", ")
        try db.run("UPDATE tasks SET \(column) = ? WHERE project_id = ? AND \(column) IS NULL AND status IN (\(placeholders))",
                   [workerID, projectID] + statuses.map(\.rawValue))
    }

    /// A HITL job's predictions as its client sent them, if any.
    static func clientPredictions(taskID: String, on db: any Connection) throws -> JSONValue? {
        try db.queryOne("SELECT client_predictions FROM tasks WHERE id = ?", [taskID])?
            .optionalString("client_predictions").flatMap(JSONValue.init(text:))
    }

    /// The account's workers who hold tasks as annotators (or reviewers), with how many, by e-mail.
    static func workload(accountID: String, asReviewer: Bool, on db: any Connection) throws -> [(worker: Worker, tasks: Int)] {
        let column = asReviewer ? "reviewer_id" : "annotator_id"
        return try db.query("""
            SELECT w.id, w.account_id, w.email, w.created_at, COUNT(t.id) AS n FROM workers w
            JOIN tasks t ON t.\(column) = w.id WHERE w.account_id = ? GROUP BY w.id, w.account_id, w.email, w.created_at ORDER BY w.email
            """, [accountID]).map { row in (try WorkerStore.worker(row), try row.int("n")) }
    }

    /// The labels of an image's approved (done) tasks, oldest first.
    static func approvedLabels(imageID: Int, on db: any Connection) throws -> [Label] {
        try db.query("""
            SELECT t.annotations FROM tasks t JOIN task_images ti ON ti.task_id = t.id
            WHERE ti.image_id = ? AND t.status = ? ORDER BY t.updated_at, t.id
            """, [imageID, TaskStatus.done.rawValue]).flatMap { row in
            try labels(try row.optionalString("annotations")).filter { $0.imageID == imageID }.flatMap(\.labels)
        }
    }

    static func json(_ labels: [ImageLabels]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(labels), as: UTF8.self)
    }

    static func labels(_ text: String?) throws -> [ImageLabels] {
        guard let text, !text.isEmpty else { return [] }
        return try JSONDecoder().decode([ImageLabels].self, from: Data(text.utf8))
    }

    /// Tasks from rows of `columns`, each with its images.
    static func tasks(_ rows: [Row], on db: any Connection) throws -> [LabelTask] {
        let imageIDs = try imageIDs(taskIDs: try rows.map { try $0.string("id") }, on: db)
        return try rows.map { row in try task(row, imageIDs: imageIDs[try row.string("id")] ?? []) }
    }

    /// The images of each task, in position order; a task without images is absent. A few hundred tasks per
    /// statement keeps every statement under both databases' limits on parameters.
    static func imageIDs(taskIDs: [String], on db: any Connection) throws -> [String: [Int]] {
        let unique = Array(Set(taskIDs))
        var images: [String: [Int]] = [:]
        for start in stride(from: 0, to: unique.count, by: 500) {
            let batch: [any SQLConvertible] = Array(unique[start..<min(start + 500, unique.count)])
            let placeholders = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            for row in try db.query("""
                SELECT task_id, image_id FROM task_images WHERE task_id IN (\(placeholders)) ORDER BY task_id, position
                """, batch) {
                images[try row.string("task_id"), default: []].append(try row.int("image_id"))
            }
        }
        return images
    }

    /// A task from a row of `columns` and its images (`imageIDs(taskIDs:on:)`).
    static func task(_ row: Row, imageIDs: [Int]) throws -> LabelTask {
        let draft = try row.optionalString("draft")
        return LabelTask(
            id: try row.string("id"), projectID: try row.string("project_id"),
            source: TaskSource(rawValue: try row.string("source")) ?? .jtheta,
            status: TaskStatus(rawValue: try row.string("status")) ?? .error,
            annotatorID: try row.optionalString("annotator_id"), reviewerID: try row.optionalString("reviewer_id"),
            imageIDs: imageIDs,
            predictions: try labels(try row.optionalString("predictions")),
            annotations: try labels(try row.optionalString("annotations")),
            draft: try draft.map { try labels($0) }, reviewComment: try row.optionalString("review_comment"),
            createdAt: try row.string("created_at"), updatedAt: try row.string("updated_at"),
            startedAt: try row.optionalString("started_at"), submittedAt: try row.optionalString("submitted_at"),
            finishedAt: try row.optionalString("finished_at"))
    }
}

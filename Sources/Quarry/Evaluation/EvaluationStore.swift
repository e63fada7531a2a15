import Learn
import Foundation
import Storage

enum EvaluationStore: ProjectJobStore {
    static func notFound(_ id: String) -> any Error { EvaluationError.notFound("evaluation '\(id)'") }
    static func stillActive(_ id: String) -> any Error { EvaluationError.stillActive(id) }

    static func insert(_ evaluation: Evaluation, on db: any Connection) throws {
        let request = evaluation.request
        try db.run("""
            INSERT INTO evaluations (id, project_id, experiment_id, run_id, checkpoint, split_index, split_subset, batch_size, device,
                                     status, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [evaluation.id, evaluation.projectID, request.experimentID, request.runID, request.checkpoint.rawValue, request.splitIndex ?? 0,
                  request.splitSubset.rawValue, request.batchSize, (request.device ?? .cpu).description, evaluation.status.rawValue, evaluation.createdAt])
    }

    /// The report and its per-image results, and the evaluation completed, in the caller's transaction.
    static func complete(_ id: String, report: EvaluationReport, snapshot: String, skipped: Int, results: [EvaluationResult],
                         on db: any Connection) throws {
        try insertResults(results, evaluationID: id, on: db)
        try db.run("UPDATE evaluations SET report = ?, snapshot = ?, skipped = ? WHERE id = ?",
                   [String(decoding: try JSONEncoder().encode(report), as: UTF8.self), snapshot, skipped, id])
        try JobRecords.apply(.complete, to: .evaluation, id: id, on: db)
    }

    static func delete(id: String, on db: any Connection) throws {
        try db.run("DELETE FROM evaluations WHERE id = ?", [id])
    }

    static func find(id: String, on db: any Connection) throws -> Evaluation? {
        try db.queryOne("SELECT * FROM evaluations WHERE id = ?", [id]).map(evaluation)
    }

    static func list(projectID: String, on db: any Connection) throws -> [Evaluation] {
        try db.query("SELECT * FROM evaluations WHERE project_id = ? ORDER BY created_at, id", [projectID]).map(evaluation)
    }

    private static func insertResults(_ results: [EvaluationResult], evaluationID: String, on db: any Connection) throws {
        let encoder = JSONEncoder()
        for (position, result) in results.enumerated() {
            let classes = result.details.map { $0.classes.sorted().map { "\n\($0)\n" }.joined() }
            try db.run("""
                INSERT INTO evaluation_results (evaluation_id, position, file_name, ground_truth, prediction, confidence, loss, correct,
                                                details, classes)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [evaluationID, position, result.fileName, result.groundTruth, result.prediction, result.confidence, result.loss,
                      result.correct ? 1 : 0, try result.details.map { String(decoding: try encoder.encode($0), as: UTF8.self) }, classes])
        }
    }

    /// A page of per-image results, and how many match the filters.
    static func results(evaluationID: String, query: EvaluationResultQuery, on db: any Connection) throws -> ([EvaluationResult], Int) {
        var conditions = ["evaluation_id = ?"], arguments: [any SQLConvertible] = [evaluationID]
        if let correct = query.filterCorrect {
            conditions.append("correct = ?")
            arguments.append(correct ? 1 : 0)
        }
        if let name = query.filterClass {
            // A classifier's true class, or any class among a detector's boxes or a segmenter's regions (each between
            // newlines), matched exactly. `replace` is a substring test that both databases spell alike and that keeps
            // case, where LIKE ignores ASCII case in SQLite only.
            conditions.append("(ground_truth = ? OR replace(classes, ?, '') <> classes)")
            arguments += [name, "\n\(name)\n"]
        }
        let filter = conditions.joined(separator: " AND ")
        let total = try db.queryOne("SELECT COUNT(*) AS n FROM evaluation_results WHERE \(filter)", arguments)?.int("n") ?? 0
        let order = switch query.sort {
        case .filename: "file_name, position"
        case .confidence: "confidence DESC, position"
        case .error: "loss DESC, position"
        }
        let rows = try db.query("""
            SELECT * FROM evaluation_results WHERE \(filter) ORDER BY \(order) LIMIT ? OFFSET ?
            """, arguments + [query.pageSize, (query.page - 1) * query.pageSize])
        let decoder = JSONDecoder()
        return (try rows.map { row in
            EvaluationResult(fileName: try row.string("file_name"), groundTruth: try row.string("ground_truth"),
                             prediction: try row.string("prediction"), confidence: try row.double("confidence"), loss: try row.double("loss"),
                             details: try row.optionalString("details").map { try decoder.decode(ResultDetails.self, from: Data($0.utf8)) })
        }, total)
    }

    private static func evaluation(_ row: Row) throws -> Evaluation {
        var request = EvaluationRequest(experimentID: try row.string("experiment_id"), runID: try row.string("run_id"))
        request.checkpoint = try row.choice("checkpoint")
        request.splitIndex = try row.int("split_index")
        request.splitSubset = try row.choice("split_subset")
        request.batchSize = try row.int("batch_size")
        request.device = Device(try row.string("device"))
        return Evaluation(id: try row.string("id"), projectID: try row.string("project_id"), request: request,
                          status: JobStatus(rawValue: try row.string("status")) ?? .failed, error: try row.optionalString("error"),
                          report: try row.optionalString("report").map { try JSONDecoder().decode(EvaluationReport.self, from: Data($0.utf8)) },
                          snapshot: try row.optionalString("snapshot"), skipped: try row.int("skipped"), createdAt: try row.string("created_at"),
                          startedAt: try row.optionalString("started_at"), finishedAt: try row.optionalString("finished_at"))
    }
}

/// Which results a page shows: `sort` filename (A to Z), confidence (highest first) or error
/// (highest loss first: the worst mistakes at the top), with optional filters.
public struct EvaluationResultQuery: Sendable {
    public enum Sort: String, Sendable { case filename, confidence, error }
    public static let maxPageSize = 500

    public var page = 1
    public var pageSize = 50
    public var sort = Sort.filename
    public var filterCorrect: Bool?
    public var filterClass: String?

    public init() {}
}

import Foundation
import HTTP
import Quarry

/// `/api/evaluation/{project_id}`: a run's checkpoint measured on a split's subset, with the report
/// (docs/studio.md, "Evaluation") and the per-image results.
struct StudioEvaluations: Sendable {
    let services: Services

    private struct EvaluationBody: Encodable {
        let eval_id: String
        let project_id: String
        let experiment_id: String
        let run_id: String
        let checkpoint: String
        let split_index: Int?
        let split_subset: String
        let batch_size: Int
        let device: String
        let status: String
        let error: String?
        let results: EvaluationReport?
        /// The snapshot id of the labeled images measured.
        let data_snapshot: String?
        /// Images (a classifier's) or true boxes (a detector's) of classes the run did not train.
        let skipped: Int
        let created_at: String
        let started_at: String?
        let finished_at: String?

        init(_ evaluation: Evaluation) {
            let request = evaluation.request
            (eval_id, project_id, experiment_id, run_id) = (evaluation.id, evaluation.projectID, request.experimentID, request.runID)
            (checkpoint, split_index, split_subset, batch_size) = (request.checkpoint.rawValue, request.splitIndex, request.splitSubset.rawValue,
                                                                request.batchSize)
            device = (request.device ?? .cpu).description
            (status, error, results, skipped) = (evaluation.status.rawValue, evaluation.error, evaluation.report, evaluation.skipped)
            data_snapshot = evaluation.snapshot
            (created_at, started_at, finished_at) = (evaluation.createdAt, evaluation.startedAt, evaluation.finishedAt)
        }
    }

    /// A classifier's image: its true and predicted class. A detector's adds its boxes: true positives, false
    /// positives and misses, with `loss` the count of the last two (what `sort_by=error` sorts by). A
    /// segmenter's adds its IoU and each class's, with `loss` 1 − IoU, and its predicted and true masks
    /// (`ClassMask`, absent from results kept before masks were).
    private struct ResultBody: Encodable {
        let filename: String
        let ground_truth: String
        let prediction: String
        let confidence: Double
        let loss: Double
        let correct: Bool
        let true_positives: [ImageDetections.Found]?
        let false_positives: [ImageDetections.Found]?
        let misses: [ImageDetections.Missed]?
        let iou: Double?
        let class_iou: [String: Double]?
        let mask: ClassMask?
        let truth_mask: ClassMask?

        init(_ result: EvaluationResult) {
            (filename, ground_truth, prediction, confidence, loss, correct) = (result.fileName, result.groundTruth, result.prediction,
                                                                             result.confidence, result.loss, result.correct)
            switch result.details {
            case .detections(let found):
                (true_positives, false_positives, misses) = (found.truePositives, found.falsePositives, found.misses)
                (iou, class_iou, mask, truth_mask) = (nil, nil, nil, nil)
            case .segmentation(let segmentation):
                (true_positives, false_positives, misses) = (nil, nil, nil)
                (iou, class_iou, mask, truth_mask) = (segmentation.iou, segmentation.classIoU, segmentation.mask, segmentation.truthMask)
            case nil:
                (true_positives, false_positives, misses, iou, class_iou) = (nil, nil, nil, nil, nil)
                (mask, truth_mask) = (nil, nil)
            }
        }
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.evaluations.list(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(EvaluationBody.init))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        let body = try JSON.decode(EvaluationRequestBody.self, from: request, keys: EvaluationRequestBody.keys)
        let evaluation = try services.evaluations.create(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                         request: try body.request)
        return Studio.ok(EvaluationBody(evaluation), status: .created)
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(EvaluationBody(try services.evaluations.get(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                              id: request.parameter("eval_id") ?? "")))
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let id = request.parameter("eval_id") ?? ""
        try services.evaluations.delete(accountID: account.id, projectID: request.parameter("project_id") ?? "", id: id)
        return Studio.deleted(id, key: "eval_id")
    }

    /// `page` from 1, `page_size` default 50 and at most 500, `sort_by` filename, confidence or error
    /// (highest loss first), `filter_correct` true or false, `filter_class` a ground-truth class.
    func results(_ request: Request, _ account: Account) throws -> Response {
        struct Page: Encodable {
            let results: [ResultBody]
            let total: Int
            let page: Int
            let page_size: Int
        }
        var query = EvaluationResultQuery()
        query.page = try request.integer("page", default: 1, range: 1...1_000_000)
        query.pageSize = try request.integer("page_size", default: 50, range: 1...EvaluationResultQuery.maxPageSize)
        if let sort = request.query["sort_by"] {
            guard let value = EvaluationResultQuery.Sort(rawValue: sort) else { throw APIError.invalid("sort_by", "must be filename, confidence or error") }
            query.sort = value
        }
        query.filterCorrect = try request.boolean("filter_correct")
        query.filterClass = request.query["filter_class"]
        let (results, total) = try services.evaluations.results(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                                id: request.parameter("eval_id") ?? "", query: query)
        return Studio.ok(Page(results: results.map(ResultBody.init), total: total, page: query.page, page_size: query.pageSize))
    }
}

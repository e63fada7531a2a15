import Quarry

/// The body of `POST /api/evaluation/{project_id}` (docs/studio.md, "Evaluation"): `checkpoint`
/// `best`, `split_subset` `test` and `batch_size` 32 when left out; `split_index` and `device` are
/// the run's own unless named.
package struct EvaluationRequestBody: Decodable {
    let experiment_id: String?
    let run_id: String?
    let checkpoint: String?
    let split_index: Int?
    let split_subset: String?
    let batch_size: Int?
    let device: String?

    package static let keys = JSON.Keys(keys: ["experiment_id", "run_id", "checkpoint", "split_index", "split_subset", "batch_size", "device"])

    package var request: EvaluationRequest {
        get throws(APIError) {
            var request = EvaluationRequest(experimentID: try JSON.identifier(experiment_id, "experiment_id"),
                                            runID: try JSON.identifier(run_id, "run_id"))
            request.checkpoint = try JSON.choice(checkpoint, "checkpoint", or: request.checkpoint)
            request.splitIndex = split_index
            request.splitSubset = try JSON.choice(split_subset, "split_subset", or: request.splitSubset)
            request.batchSize = batch_size ?? request.batchSize
            request.device = try Studio.device(device)
            return request
        }
    }
}

import Foundation
import Learn
import Storage

/// Evaluations of runs' checkpoints: created against a finished (or stopped) run, executed one at a
/// time as jobs of the job runner, listed, read with their per-image results, deleted.
public final class EvaluationService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    let runs: RunService
    var devices: ComputeDevices { runs.devices }

    init(database: any Database, blobs: any BlobStore, runs: RunService) {
        self.database = database
        self.blobs = blobs
        self.runs = runs
        runs.jobs.register(.evaluation) { [self] context in try EvaluationExecution(service: self, id: context.id).perform() }
    }

    /// Checks the request against the run (which must belong to the experiment, have finished
    /// training and have the checkpoint) and the split, then queues the evaluation.
    public func create(accountID: String, projectID: String, request: EvaluationRequest) throws -> Evaluation {
        try request.validate()
        let offered = try runs.offeredDevices()
        let evaluation = try database.write { db -> Evaluation in
            // A copy per attempt: on PostgreSQL this closure may run again after a serialization failure.
            var request = request
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let run = try TrainedModel.checkedRun(request.runID, experimentID: request.experimentID, projectID: projectID,
                                                  checkpoint: request.checkpoint, runs: runs, on: db)
            let splitIndex = request.splitIndex ?? run.config.splitIndex
            guard try SplitStore.exists(projectID: projectID, position: splitIndex, on: db) else { throw SplitError.notFound(splitIndex) }
            (request.splitIndex, request.device) = (splitIndex, try devices.choose(request.device, preferring: run.config.device.primary, offered: offered))
            let evaluation = Evaluation(id: ID.make("eval"), projectID: projectID, request: request, status: .pending, error: nil,
                                        report: nil, snapshot: nil, skipped: 0, createdAt: Timestamp.now(), startedAt: nil, finishedAt: nil)
            try EvaluationStore.insert(evaluation, on: db)
            return evaluation
        }
        runs.jobs.submit(.evaluation, id: evaluation.id)
        return evaluation
    }

    public func list(accountID: String, projectID: String) throws -> [Evaluation] {
        try ProjectJobs<EvaluationStore>.list(accountID: accountID, projectID: projectID, in: database)
    }

    public func get(accountID: String, projectID: String, id: String) throws -> Evaluation {
        try ProjectJobs<EvaluationStore>.get(accountID: accountID, projectID: projectID, id: id, in: database)
    }

    public func results(accountID: String, projectID: String, id: String,
                        query: EvaluationResultQuery) throws -> (results: [EvaluationResult], total: Int) {
        try database.read { db in
            let evaluation = try ProjectJobs<EvaluationStore>.find(accountID: accountID, projectID: projectID, id: id, on: db)
            guard evaluation.status == .completed else { throw EvaluationError.notCompleted(id: id, status: evaluation.status) }
            return try EvaluationStore.results(evaluationID: id, query: query, on: db)
        }
    }

    /// Removes the evaluation and its results, unless it is still pending or running.
    public func delete(accountID: String, projectID: String, id: String) throws {
        try ProjectJobs<EvaluationStore>.delete(accountID: accountID, projectID: projectID, id: id, in: database)
    }
}

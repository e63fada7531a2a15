import Foundation
import HTTP
import Learn
import Quarry
import Synchronization

/// Runs: `POST …/experiments/{exp_id}/run`, and `…/runs/{run_id}` with stop, resume, delete,
/// metrics and an event stream.
struct StudioRuns: Sendable {
    let services: Services

    private struct RunBody: Encodable {
        let run_id: String
        let experiment_id: String
        let status: String
        let classes: [String]
        let metrics: [EpochMetricsDocument]
        let best_val_accuracy: Float?
        /// A detector's.
        let best_val_map: Float?
        /// A segmenter's.
        let best_val_mean_iou: Float?
        /// What it trains on: the data's snapshot id and counts, from its first start.
        let data: RunData?
        let error: FailureBody?
        let config: ExperimentConfig
        let created_at: String
        let started_at: String?
        let finished_at: String?
        /// Why a pending run waits, when no live process has its devices (a GPU no worker offers).
        let waiting_for: String?

        init(_ run: Run, waitingFor: String?) {
            run_id = run.id
            experiment_id = run.experimentID
            status = run.status.rawValue
            classes = run.classes
            metrics = run.metrics.map(EpochMetricsDocument.init)
            best_val_accuracy = run.bestValidationAccuracy
            best_val_map = run.bestValidationMAP
            best_val_mean_iou = run.bestValidationMeanIoU
            data = run.data
            error = run.error.map { FailureBody(type: $0.kind.rawValue, message: $0.message) }
            config = run.config
            created_at = run.createdAt
            started_at = run.startedAt
            finished_at = run.finishedAt
            waiting_for = waitingFor
        }
    }

    /// A failed run's error as studio-api-related.md has it: a stable `type` (docs/studio.md lists them)
    /// and the `message`.
    private struct FailureBody: Encodable {
        let type: String
        let message: String
    }

    func start(_ request: Request, _ account: Account) throws -> Response {
        let run = try services.runs.start(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                          experimentID: request.parameter("exp_id") ?? "")
        return Studio.ok(["run_id": run.id, "status": run.status.rawValue], status: .created)
    }

    func get(_ request: Request, _ account: Account) throws -> Response {
        let run = try run(request, account)
        return Studio.ok(RunBody(run, waitingFor: try services.runs.waitingReasons([run])[0]))
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        let runs = try services.runs.list(accountID: account.id, projectID: request.parameter("project_id") ?? "")
        return Studio.ok(zip(runs, try services.runs.waitingReasons(runs)).map { RunBody($0, waitingFor: $1) })
    }

    func metrics(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try run(request, account).metrics.map(EpochMetricsDocument.init))
    }

    func stop(_ request: Request, _ account: Account) throws -> Response {
        let run = try services.runs.stop(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                         id: request.parameter("run_id") ?? "")
        return Studio.ok(["run_id": run.id, "status": "stopping"])
    }

    /// An optional body `{"device": "cpu"}` (or a list of GPUs) resumes on other devices than the run's own.
    func resume(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let device: DeviceSelection
        }
        let device = try JSON.decodeIfPresent(Body.self, from: request)?.device
        let run = try services.runs.resume(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                           id: request.parameter("run_id") ?? "", device: device)
        return Studio.ok(["run_id": run.id, "status": run.status.rawValue])
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let id = request.parameter("run_id") ?? ""
        try services.runs.delete(accountID: account.id, projectID: request.parameter("project_id") ?? "", id: id)
        return Studio.deleted(id, key: "run_id")
    }

    /// Server-Sent Events (studio-api-related.md): `status` changes, `progress` per batch, `epoch_end`
    /// per epoch with its metrics, and last `complete` with the final status, after which the stream
    /// closes. A late subscriber first gets what happened so far. A run another process trains is
    /// followed through the database (`RunFollower`): its epochs and status, not its batches. `complete` carries an id, so a browser
    /// `EventSource` that reconnects once the run is over sends it back as `Last-Event-ID` and is
    /// answered 204, which tells it to stop rather than replay the run in a loop.
    func stream(_ request: Request, _ account: Account) throws -> Response {
        let run = try run(request, account)
        if !run.status.isActive && request.headers["Last-Event-ID"] == Self.completeID {
            return Response(status: .noContent)
        }
        let stream = SSEStream()
        if !run.status.isActive {
            for event in run.metrics.map(RunEvent.epoch) + [.status(run.status, error: run.error?.message), .done] {
                Self.send(event, final: StatusDocument(status: run.status.rawValue, error: run.error?.message), on: stream)
            }
            stream.finish()
            return stream.response
        }
        let last = Mutex(StatusDocument(status: run.status.rawValue, error: run.error?.message))
        try services.runs.followIfElsewhere(runID: run.id)
        _ = services.runs.events.subscribe(run: run.id) { event in
            if case .status(let status, let error) = event { last.withLock { $0 = StatusDocument(status: status.rawValue, error: error) } }
            let delivered = Self.send(event, final: last.withLock { $0 }, on: stream)
            if case .done = event { stream.finish() }
            return delivered
        }
        return stream.response
    }

    static let completeID = "complete"

    /// Writes a run event as the stream names it; `done` becomes `complete`, saying how the run ended.
    @discardableResult
    private static func send(_ event: RunEvent, final: StatusDocument, on stream: SSEStream) -> Bool {
        switch event {
        case .status(let status, let error):
            stream.send(event: "status", data: json(StatusDocument(status: status.rawValue, error: error)))
        case .progress(let epoch, let batch, let batches, let loss):
            stream.send(event: "progress", data: json(ProgressDocument(epoch: epoch, batch: batch, batches: batches, loss: loss)))
        case .epoch(let metrics):
            stream.send(event: "epoch_end", data: json(EpochMetricsDocument(metrics)))
        case .done:
            stream.send(event: "complete", data: json(final), id: completeID)
        }
    }

    private struct StatusDocument: Encodable, Sendable {
        let status: String
        let error: String?
    }

    private struct ProgressDocument: Encodable {
        let epoch: Int
        let batch: Int
        let batches: Int
        let loss: Float
    }

    private func run(_ request: Request, _ account: Account) throws -> Run {
        try services.runs.get(accountID: account.id, projectID: request.parameter("project_id") ?? "", id: request.parameter("run_id") ?? "")
    }

    private static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

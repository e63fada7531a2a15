import Foundation
import Learn
import Storage

/// A run's model as one of its checkpoints left it: what evaluations and exports start from.
struct TrainedModel {
    let run: Run
    let model: any Layer
    /// The model compiled for evaluation (batch norm folded, bias, residual sums and activations fused):
    /// what evaluations and pre-labels run.
    let inference: InferenceModel

    /// The run `runID` of the project, which must belong to `experimentID`, have stopped training and
    /// have the `checkpoint` (`best` or `last`).
    static func checkedRun(_ runID: String, experimentID: String, projectID: String, checkpoint: RunCheckpoint, runs: RunService,
                           on db: any Connection) throws -> Run {
        guard let run = try RunStore.find(id: runID, on: db), run.projectID == projectID else { throw TrainedModelError.runNotFound(runID) }
        guard run.experimentID == experimentID else {
            throw TrainedModelError.wrongExperiment(run: runID, experiment: run.experimentID)
        }
        guard !run.status.isActive else {
            throw TrainedModelError.stillTraining(run: run.id, status: run.status)
        }
        guard !run.classes.isEmpty, try runs.files.hasCheckpoint(run.id, checkpoint, on: db) else {
            throw TrainedModelError.checkpointNotFound(run: run.id, checkpoint: checkpoint)
        }
        return run
    }

    /// The checkpoint's model on `backend`, compiled for evaluation.
    static func load(_ run: Run, checkpoint: RunCheckpoint, runs: RunService, on backend: any Backend = CPUBackend.shared) throws -> TrainedModel {
        let model = try restored(run, checkpoint: checkpoint, runs: runs, on: backend)
        return TrainedModel(run: run, model: model, inference: try InferenceModel(model, backend: backend))
    }

    /// Rebuilds the model from the run's configuration on `backend` and loads the checkpoint into it: what an
    /// export reads, which needs no compiled copy.
    static func restored(_ run: Run, checkpoint: RunCheckpoint, runs: RunService, on backend: any Backend = CPUBackend.shared) throws
        -> any Layer {
        let model = RunRecipe(config: run.config, classes: run.classes.count, batchesPerEpoch: 1).model(on: backend)
        guard let stored = try runs.files.checkpoint(run.id, checkpoint) else {
            throw TrainedModelError.checkpointNotFound(run: run.id, checkpoint: checkpoint)
        }
        try stored.restore(into: model, optimizer: nil)
        return model
    }
}

public enum TrainedModelError: Error, Equatable, Sendable {
    case runNotFound(String)
    case wrongExperiment(run: String, experiment: String)
    /// Pending or running: its checkpoints are not final.
    case stillTraining(run: String, status: JobStatus)
    case checkpointNotFound(run: String, checkpoint: RunCheckpoint)
}

import Foundation
import Learn
import Storage
import Synchronization

/// Runs of experiments: jobs of the job runner (as many at once as a process's run lane allows), trained
/// by whichever process claims them, stoppable between batches, resumable from their last checkpoint (a
/// run whose process stopped or went away under it is taken over from there, by the next start or
/// another process). Every status change is published to the run's event stream.
public final class RunService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    public let events = RunEvents()
    /// Runs trained by another process, followed through the database for this process's streams.
    private let follower: RunFollower
    /// Checkpoints and frozen examples, as blobs.
    let files: RunFiles
    let jobs: JobRunner
    let devices: ComputeDevices
    /// Where a run's `pretrained` weights are read from.
    let weights: WeightsService

    init(database: any Database, blobs: any BlobStore, dataDirectory: String, jobs: JobRunner, devices: ComputeDevices, weights: WeightsService) throws {
        self.jobs = jobs
        self.devices = devices
        self.weights = weights
        self.database = database
        self.blobs = blobs
        files = RunFiles(database: database, blobs: blobs, directory: "\(dataDirectory)/runs")
        follower = RunFollower(database: database, events: events, process: jobs.process.id)
        jobs.observe(.run) { [events] id, status, error in
            events.publish(run: id, .status(status, error: error))
            if !status.isActive { events.finish(run: id) }
        }
        // Whichever process claims it: from the last checkpoint when the run has one (a resume, or a run
        // whose process went away under it), else from the start.
        jobs.register(.run) { [self] context in try RunExecution(service: self, runID: context.id, context: context).perform() }
    }

    /// Before a stream subscribes to `events`: a run another process trains is followed through the
    /// database, so its epochs and status reach this process's subscribers too.
    public func followIfElsewhere(runID: String) throws {
        try follower.followIfElsewhere(runID)
    }

    /// Refuses a device no process could train on: not a selection, or a GPU no process could have
    /// (`ComputeDevices.checkQueueable`).
    func checkDevice(_ config: ExperimentConfig) throws {
        if let problem = config.device.problem(batchSize: config.batchSize) { throw RunError.invalid(field: "device", reason: problem) }
        try devices.checkQueueable(config.device, on: database)
    }

    /// The devices live processes sharing the database take work for (this one's among them).
    func offeredDevices() throws -> Set<String> {
        Set(try database.read { db in try ProcessRegistry.live(on: db) }.flatMap(\.devices))
    }

    /// For each run, why it waits when it is pending and no live process has the devices it asks for;
    /// nil when one has, or the run is not waiting. The live processes are read once, and only when some
    /// run is pending: a listing of finished runs reads nothing more.
    public func waitingReasons(_ runs: [Run]) throws -> [String?] {
        guard runs.contains(where: { $0.status == .pending }) else { return runs.map { _ in nil } }
        let offered = try database.read { db in try ProcessRegistry.live(on: db) }.map { Set($0.devices) }
        return runs.map { run in
            let needed = run.config.device.names
            guard run.status == .pending, !offered.contains(where: { Set(needed).isSubset(of: $0) }) else { return nil }
            return "no live Quarry process has \(needed.joined(separator: " and ")): it waits for `quarry worker "
                + needed.map { "--device \($0)" }.joined(separator: " ") + "` on a machine that has it"
        }
    }

    /// Starts a run of the experiment's configuration as it is now.
    public func start(accountID: String, projectID: String, experimentID: String) throws -> Run {
        let run = try database.write { db -> Run in
            let experiment = try ExperimentService.find(accountID: accountID, projectID: projectID, id: experimentID, on: db)
            try checkDevice(experiment.config)
            // The project's task may have changed since the experiment was saved.
            try experiment.config.validate(for: try ProjectStore.owned(accountID: accountID, id: projectID, on: db).task)
            // Checked now so a run that cannot train is refused at once rather than failing later.
            switch experiment.config.model.task {
            case .classification: _ = try TrainingData.load(projectID: projectID, config: experiment.config, on: db)
            case .detection: _ = try DetectionData.load(projectID: projectID, config: experiment.config, on: db)
            case .segmentation: _ = try SegmentationData.load(projectID: projectID, config: experiment.config, on: db)
            }
            let run = Run(id: ID.make("run"), projectID: projectID, experimentID: experimentID, status: .pending, config: experiment.config,
                          classes: [], metrics: [], bestValidationAccuracy: nil, data: nil, error: nil, createdAt: Timestamp.now(),
                          startedAt: nil, finishedAt: nil)
            try RunStore.insert(run, on: db)
            return run
        }
        jobs.submit(.run, id: run.id)
        return run
    }

    /// The project's runs, newest first.
    public func list(accountID: String, projectID: String) throws -> [Run] {
        try ProjectJobs<RunStore>.list(accountID: accountID, projectID: projectID, in: database)
    }

    public func get(accountID: String, projectID: String, id: String) throws -> Run {
        try ProjectJobs<RunStore>.get(accountID: accountID, projectID: projectID, id: id, in: database)
    }

    /// Asks a pending or running run to stop; it does so before its next batch.
    public func stop(accountID: String, projectID: String, id: String) throws -> Run {
        let run = try get(accountID: accountID, projectID: projectID, id: id)
        guard run.status.isActive else { throw RunError.notResumable(id: id, status: run.status) }
        try jobs.requestStop(.run, id: id)
        return run
    }

    /// Resumes a stopped, interrupted or failed run from its last checkpoint (from the start if it had
    /// none), on `device` when one is given (a GPU run can go on on the CPU, other GPUs or several), else
    /// on the devices it ran on.
    public func resume(accountID: String, projectID: String, id: String, device: DeviceSelection? = nil) throws -> Run {
        var run = try get(accountID: accountID, projectID: projectID, id: id)
        guard run.status.applying(.resume) != nil else { throw RunError.notResumable(id: id, status: run.status) }
        if let device {
            run.config.device = device
            try checkDevice(run.config)
        }
        try database.write { db in
            guard try JobRecords.apply(.resume, to: .run, id: id, on: db) else {
                throw RunError.notResumable(id: id, status: try RunStore.find(id: id, on: db)?.status ?? run.status)
            }
            try RunStore.updateConfig(run, on: db)
        }
        (run.status, run.error, run.finishedAt) = (.pending, nil, nil)
        events.forget(run: id)
        jobs.submit(.run, id: id)
        return run
    }

    /// Removes the run, unless it is still pending or running, then its checkpoints.
    public func delete(accountID: String, projectID: String, id: String) throws {
        try ProjectJobs<RunStore>.delete(accountID: accountID, projectID: projectID, id: id, in: database)
        files.removeLegacyFiles(id)
        events.forget(run: id)
    }
}

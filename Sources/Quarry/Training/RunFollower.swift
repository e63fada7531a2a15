import Foundation
import Storage
import Synchronization

/// A run trained by another process sharing the database, followed through the database so that a
/// client streaming it from this process sees it go on: each new epoch's metrics and each status
/// change are read every `interval` and published to this process's `RunEvents`, until the run ends.
/// Batch progress is not in the database, so it is not followed; a run trained here needs no follower,
/// its events are this process's own.
final class RunFollower: Sendable {
    private let database: any Database
    private let events: RunEvents
    private let process: String
    private let interval: Duration
    /// The runs followed now, so that two streams of one run share one follower.
    private let following = Mutex<Set<String>>([])

    init(database: any Database, events: RunEvents, process: String, interval: Duration = .milliseconds(500)) {
        self.database = database
        self.events = events
        self.process = process
        self.interval = interval
    }

    /// Starts following `run` unless this process trains it, it is over, or it is followed already.
    func followIfElsewhere(_ runID: String) throws {
        guard let (run, claimer) = try database.read({ db in try Self.read(runID, on: db) }), run.status.isActive, claimer != process else {
            return
        }
        guard following.withLock({ $0.insert(runID).inserted }) else { return }
        let thread = Thread { [self] in
            follow(runID, from: run)
            _ = following.withLock { $0.remove(runID) }
        }
        thread.name = "quarry-follow-run"
        thread.start()
    }

    /// What changed since `last`, published, until the run ends (or is deleted). A waiting run is not
    /// published until some process claims it: should that be this one, its own events tell the story,
    /// and the follower stops, as it does when this process takes the run over later.
    private func follow(_ runID: String, from start: Run) {
        var last: Run? = start.status == .pending ? nil : start
        if let last { publish(runID, from: nil, to: last) }
        while true {
            Thread.sleep(forTimeInterval: interval.seconds)
            let read = Result { try database.read { db in try Self.read(runID, on: db) } }
            guard case .success(let found) = read else { continue }  // the database is away a moment
            guard let (run, claimer) = found else {
                // Deleted: its stream ends.
                events.finish(run: runID)
                return
            }
            if claimer == process { return }
            if last == nil && run.status == .pending { continue }
            publish(runID, from: last, to: run)
            last = run
            if !run.status.isActive {
                events.finish(run: runID)
                return
            }
        }
    }

    private static func read(_ runID: String, on db: any Connection) throws -> (run: Run, claimer: String?)? {
        guard let run = try RunStore.find(id: runID, on: db) else { return nil }
        return (run, try db.queryOne("SELECT claimed_by FROM runs WHERE id = ?", [runID])?.optionalString("claimed_by"))
    }

    private func publish(_ runID: String, from before: Run?, to now: Run) {
        for metrics in now.metrics.dropFirst(before?.metrics.count ?? 0) { events.publish(run: runID, .epoch(metrics)) }
        if before?.status != now.status || before == nil {
            events.publish(run: runID, .status(now.status, error: now.error?.message))
        }
    }
}

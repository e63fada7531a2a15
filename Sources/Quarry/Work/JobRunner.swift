import Dispatch
import Foundation
import Storage
import Synchronization

/// Runs durable background work: training runs, evaluations, model exports, imports and pre-labels alike.
///
/// A job is a row of its kind's table, inserted `pending` by its service in the transaction that
/// checked the request; `submit` then queues it on its kind's lane. When its turn comes a worker takes
/// it with one statement (pending → running, `JobRecords`), so that of two processes sharing the
/// database only one ever does, performs it, and records how it ended. A job stopped before its turn
/// ends `stopped` without starting. The jobs of a process that has gone (`ProcessRegistry`), and at a
/// start those no process claimed, are settled (`settle`) as each kind says (`JobKind.afterRestart`).
///
/// Each kind's service observes its jobs' status changes (runs publish them as server-sent events).
final class JobRunner: Sendable {
    /// How a job's work ended when it did not throw; a thrown error fails it (`JobFailure`).
    enum Ending: Sendable {
        case completed
        /// It saw `Context.shouldStop` and stopped at a safe point.
        case stopped
        /// It stopped at a safe point because the server is shutting down: it ends as a restart would
        /// leave it (`JobKind.afterRestart`).
        case interrupted
    }

    /// What the work of one job sees.
    struct Context: Sendable {
        let id: String
        fileprivate let runner: JobRunner
        fileprivate let kind: JobKind

        /// Stop at the next safe point: its owner asked, or the server is shutting down.
        var shouldStop: Bool { runner.work.isClosing || runner.stopRequested(kind, id) }
        var isClosing: Bool { runner.work.isClosing }
    }

    typealias Observer = @Sendable (_ id: String, _ status: JobStatus, _ error: String?) -> Void

    private struct Lane: Sendable {
        let queue: DispatchQueue
        let slots: DispatchSemaphore
    }

    private let database: any Database
    let process: ProcessRegistry
    fileprivate let work: WorkInFlight
    private let lanes: [JobKind: Lane]
    private let stops = Mutex<Set<String>>([])
    private let observers = Mutex<[JobKind: Observer]>([:])

    /// `concurrency` says how many jobs of a kind run at once; kinds it leaves out run one at a time.
    init(database: any Database, work: WorkInFlight, concurrency: [JobKind: Int] = [:]) {
        self.database = database
        process = ProcessRegistry(database: database)
        self.work = work
        var lanes: [JobKind: Lane] = [:]
        for kind in JobKind.allCases {
            lanes[kind] = Lane(queue: DispatchQueue(label: "quarry.jobs.\(kind.rawValue)", attributes: .concurrent),
                               slots: DispatchSemaphore(value: max(1, concurrency[kind] ?? 1)))
        }
        self.lanes = lanes
    }

    /// Calls `observer` after each status change of a job of `kind` that the runner makes.
    func observe(_ kind: JobKind, _ observer: @escaping Observer) {
        observers.withLock { $0[kind] = observer }
    }

    /// Queues job `id` of `kind`, whose row is committed `pending`, to run `perform` when its turn comes.
    /// The row is marked as this process's first, so that should the process go, another settles it.
    func submit(_ kind: JobKind, id: String, _ perform: @escaping @Sendable (Context) throws -> Ending) {
        let lane = lanes[kind]!
        stops.withLock { _ = $0.remove(key(kind, id)) }
        do {
            try database.write { db in try JobRecords.claim(kind, id: id, by: process.id, on: db) }
        } catch {
            // Unclaimed, it is settled only by a process starting; it still runs here.
            FileHandle.standardError.write(Data("error: \(kind.rawValue) \(id) could not be claimed: \(error)\n".utf8))
        }
        work.async(on: lane.queue) { [self] in
            lane.slots.wait()
            defer { lane.slots.signal() }
            // A job that waited through the start of shutdown stays pending; another process, or the next start, settles it.
            guard !work.isClosing else { return }
            let event: JobStatus.Event = stopRequested(kind, id) ? .stop : .start
            guard transition(kind, id, event) else { return }
            if event == .stop { return }
            let ending: Result<Ending, any Error> = Result { try perform(Context(id: id, runner: self, kind: kind)) }
            stops.withLock { _ = $0.remove(key(kind, id)) }
            switch ending {
            case .success(.completed):
                // Work that writes results completes in the transaction that writes them; the observer hears of it here.
                if !transition(kind, id, .complete), (try? database.read({ db in try JobRecords.status(of: kind, id: id, on: db) })) == .completed {
                    observers.withLock { $0[kind] }?(id, .completed, nil)
                }
            case .success(.stopped): transition(kind, id, .stop)
            case .success(.interrupted): transition(kind, id, kind.afterRestart.event, failure: kind.afterRestart.failure)
            case .failure(let error): transition(kind, id, .fail, failure: JobFailure(error))
            }
        }
    }

    /// Asks job `id` to stop: before it starts, it ends `stopped` without starting; once under way, its
    /// work sees `shouldStop` at its next safe point.
    func requestStop(_ kind: JobKind, id: String) {
        stops.withLock { _ = $0.insert(key(kind, id)) }
    }

    /// Settles, as a restart would, the active jobs of `departed` processes, and with `unclaimed` (when
    /// a server starts) those no process claimed; how many moved.
    static func settle(claimedBy departed: [String], unclaimed: Bool, on db: any Connection) throws -> Int {
        try JobKind.allCases.reduce(0) { total, kind in
            total + (try JobRecords.settle(kind, claimedBy: departed, unclaimed: unclaimed, on: db))
        }
    }

    /// Applies `event` in a transaction of its own and tells the observer; whether the row moved.
    @discardableResult
    /// A write that fails leaves the row as it was (a running job stays running until the next start
    /// settles it), and says so in the log.
    private func transition(_ kind: JobKind, _ id: String, _ event: JobStatus.Event, failure: JobFailure? = nil) -> Bool {
        let moved: Bool
        do {
            moved = try database.write { db in try JobRecords.apply(event, to: kind, id: id, failure: failure, on: db) }
        } catch let failure {
            FileHandle.standardError.write(Data("error: \(kind.rawValue) \(id) could not become \(event.result.rawValue): \(failure)\n".utf8))
            return false
        }
        if moved { observers.withLock { $0[kind] }?(id, event.result, failure?.message) }
        return moved
    }

    fileprivate func stopRequested(_ kind: JobKind, _ id: String) -> Bool {
        stops.withLock { $0.contains(key(kind, id)) }
    }

    private func key(_ kind: JobKind, _ id: String) -> String { "\(kind.rawValue)/\(id)" }
}

import Dispatch
import Foundation
import Storage
import Synchronization

/// Runs durable background work: training runs, evaluations, model exports, imports and pre-labels alike.
///
/// A job is a row of its kind's table, inserted `pending` by its service in the transaction that
/// checked the request. Nothing ties it to the process that queued it: every process sharing the
/// database claims pending jobs it can perform (a free slot of the kind's lane, the devices the job
/// asks for) with one statement (pending → running, `JobRecords.claimNext`), so each job is taken
/// once, then performs it with the kind's registered performer, which rebuilds the work from the row,
/// and records how it ended. Processes look for work every `pollInterval`, and at once when this
/// process queued some (`submit`).
///
/// A job whose process went away (`ProcessRegistry`) goes back to `pending` (`settle`), and another
/// process takes it over: a run resumes from its last checkpoint, the rest start again. A job taken
/// `JobKind.maximumAttempts` times without ending is settled for good instead (`JobKind.afterLastAttempt`),
/// so work that kills each process taking it stops being taken.
///
/// Each kind's service observes its jobs' status changes (runs publish them as server-sent events).
final class JobRunner: Sendable {
    /// How a job's work ended when it did not throw; a thrown error fails it (`JobFailure`).
    enum Ending: Sendable {
        case completed
        /// It saw `Context.shouldStop` and stopped at a safe point.
        case stopped
        /// It stopped at a safe point because this process is shutting down: it goes back to `pending`,
        /// for another process, or this one's next start, to take over.
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
    typealias Performer = @Sendable (Context) throws -> Ending

    /// How often a process looks for work others queued, and for stops asked of its jobs elsewhere.
    static let pollInterval: Duration = .milliseconds(500)
    /// Where processes sharing a PostgreSQL database hear of work queued or let go elsewhere at once
    /// (`Database.notify`), rather than at their next look.
    static let channel = "quarry_work"

    private let database: any Database
    let process: ProcessRegistry
    fileprivate let work: WorkInFlight
    private let limits: [JobKind: Int]
    private let queues: [JobKind: DispatchQueue]
    /// Jobs of each kind claimed, or about to be, by this process.
    private let taken = Mutex<[JobKind: Int]>([:])
    private let performers = Mutex<[JobKind: Performer]>([:])
    private let stops = Mutex<Set<String>>([])
    private let observers = Mutex<[JobKind: Observer]>([:])
    private let loop = Mutex<BackgroundLoop?>(nil)
    private let listener = Mutex<(any DatabaseListener)?>(nil)
    /// Whether the last look for work failed: an outage is logged when it begins and when it ends, not
    /// twice a second.
    private let lookFailed = Atomic<Bool>(false)

    /// `concurrency` says how many jobs of a kind run at once in this process; kinds it leaves out run
    /// one at a time. `devices` are those this process takes work for (`ProcessRegistry.devices`).
    init(database: any Database, work: WorkInFlight, concurrency: [JobKind: Int] = [:], devices: WorkDevices = .local(gpus: 0),
         role: ProcessRegistry.Role = .serve) {
        self.database = database
        process = ProcessRegistry(database: database, role: role, devices: devices)
        self.work = work
        limits = Dictionary(uniqueKeysWithValues: JobKind.allCases.map { ($0, max(1, concurrency[$0] ?? 1)) })
        queues = Dictionary(uniqueKeysWithValues: JobKind.allCases.map {
            ($0, DispatchQueue(label: "quarry.jobs.\($0.rawValue)", attributes: .concurrent))
        })
    }

    /// How this process performs jobs of `kind`, from the job's id alone.
    func register(_ kind: JobKind, _ perform: @escaping Performer) {
        performers.withLock { $0[kind] = perform }
    }

    /// Calls `observer` after each status change of a job of `kind` that the runner makes.
    func observe(_ kind: JobKind, _ observer: @escaping Observer) {
        observers.withLock { $0[kind] = observer }
    }

    /// Joins the processes sharing the database and begins claiming jobs. Admin commands never call it.
    func start() throws {
        try process.join()
        loop.withLock { loop in
            guard loop == nil else { return }
            loop = BackgroundLoop(name: "quarry-jobs", interval: Self.pollInterval) { [weak self] in self?.claimWaitingWork() }
        }
        do {
            let heard = try database.listen(Self.channel) { [weak self] in self?.wake() }
            listener.withLock { $0 = heard }
        } catch {
            // A hint only: the poll finds the work all the same.
            FileHandle.standardError.write(Data("error: cannot listen for queued work, looking every \(Self.pollInterval): \(error)\n".utf8))
        }
    }

    /// A job of `kind` was committed `pending`: look for work now rather than at the next poll.
    func submit(_ kind: JobKind, id: String) {
        announce()
    }

    /// Work waits that any process may take: this one looks now, and the others hear of it.
    func announce() {
        wake()
        database.notify(Self.channel)
    }

    /// Looks for waiting work now rather than at the next poll.
    func wake() {
        loop.withLock { $0 }?.nudge()
    }

    /// Asks job `id` to stop: a pending one ends `stopped` at once, without starting; one under way, in
    /// this process or another, sees `shouldStop` at its next safe point.
    func requestStop(_ kind: JobKind, id: String) throws {
        let stoppedNow = try database.write { db in
            if try JobRecords.apply(.stop, to: kind, id: id, from: [.pending], on: db) { return true }
            try JobRecords.requestStop(kind, id: id, on: db)
            return false
        }
        if stoppedNow {
            observers.withLock { $0[kind] }?(id, .stopped, nil)
        } else {
            // Seen at once if it runs here; elsewhere, its process reads the request at its next poll.
            stops.withLock { _ = $0.insert(key(kind, id)) }
        }
    }

    /// Stops claiming, and lets the performers (and the services they hold) go; the jobs under way see
    /// `Context.isClosing` through the work they run on.
    func stop() {
        listener.withLock { listener in
            listener?.stop()
            listener = nil
        }
        loop.withLock { loop in
            loop?.stop()
            loop = nil
        }
        performers.withLock { $0 = [:] }
    }

    /// Settles, in `db`'s transaction, the running jobs of `departed` processes, and with `unclaimed`
    /// (when a server starts) those no process claimed: back to `pending` for another process to take
    /// over, or for good after their last attempt; how many moved.
    static func settle(claimedBy departed: [String], unclaimed: Bool, on db: any Connection) throws -> Int {
        try JobKind.allCases.reduce(0) { total, kind in
            total + (try JobRecords.settle(kind, claimedBy: departed, unclaimed: unclaimed, on: db))
        }
    }

    /// One look for work: the stops asked of this process's jobs elsewhere, then, for each kind with a
    /// free slot, as many waiting jobs it can perform as there are slots, each claimed on its lane.
    private func claimWaitingWork() {
        guard !work.isClosing else { return }
        do {
            try noticeStopsFromElsewhere()
            let registered = performers.withLock { $0 }
            for (kind, perform) in registered.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let free = limits[kind]! - taken.withLock { $0[kind, default: 0] }
                guard free > 0 else { continue }
                let waiting = try database.read { db in
                    try JobRecords.waiting(kind, limit: free, accepting: process.devices.accepts, on: db)
                }
                for _ in 0..<waiting { dispatch(kind, perform) }
            }
            if lookFailed.exchange(false, ordering: .relaxed) {
                FileHandle.standardError.write(Data("looking for queued work again\n".utf8))
            }
        } catch {
            // The database is away (a restart, the network): the next poll tries again.
            if !lookFailed.exchange(true, ordering: .relaxed) {
                FileHandle.standardError.write(Data("error: looking for queued work failed: \(error); trying every \(Self.pollInterval)\n".utf8))
            }
        }
    }

    /// Takes a slot of `kind`'s lane and, on it, claims the next waiting job and performs it.
    private func dispatch(_ kind: JobKind, _ perform: @escaping Performer) {
        taken.withLock { $0[kind, default: 0] += 1 }
        work.async(on: queues[kind]!) { [self] in
            defer {
                taken.withLock { $0[kind, default: 0] -= 1 }
                wake()
            }
            let claimed: String?
            do {
                claimed = try database.write { db in
                    try JobRecords.claimNext(kind, by: process.id, accepting: process.devices.accepts, on: db)
                }
            } catch {
                FileHandle.standardError.write(Data("error: claiming a \(kind.rawValue) job failed: \(error)\n".utf8))
                return
            }
            guard let id = claimed else { return }
            // A stop asked of an earlier attempt is not this one's: the claim cleared the request in the row too.
            stops.withLock { _ = $0.remove(key(kind, id)) }
            observers.withLock { $0[kind] }?(id, .running, nil)
            run(kind, id, perform)
        }
    }

    private func run(_ kind: JobKind, _ id: String, _ perform: Performer) {
        let ending: Result<Ending, any Error> = stopRequested(kind, id) ? .success(.stopped)
            : Result { try perform(Context(id: id, runner: self, kind: kind)) }
        stops.withLock { _ = $0.remove(key(kind, id)) }
        switch ending {
        case .success(.completed):
            // Work that writes results completes in the transaction that writes them; the observer hears of it here.
            if !transition(kind, id, .complete), (try? database.read({ db in try JobRecords.status(of: kind, id: id, on: db) })) == .completed {
                observers.withLock { $0[kind] }?(id, .completed, nil)
            }
        case .success(.stopped): transition(kind, id, .stop)
        case .success(.interrupted): transition(kind, id, .release)
        case .failure(let error): transition(kind, id, .fail, failure: JobFailure(error))
        }
    }

    /// The stops asked, through another process, of jobs this one runs.
    private func noticeStopsFromElsewhere() throws {
        guard taken.withLock({ $0.values.contains { $0 > 0 } }) else { return }
        let asked = try database.read { db in try JobRecords.stopsRequested(claimedBy: process.id, on: db) }
        guard !asked.isEmpty else { return }
        stops.withLock { stops in for (kind, id) in asked { stops.insert(key(kind, id)) } }
    }

    /// Applies `event` in a transaction of its own and tells the observer; whether the row moved.
    /// A write that fails leaves the row as it was (a running job stays running until this process is
    /// found gone and the job settled), and says so in the log.
    @discardableResult
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

import Storage

/// The job runner's columns of every job table, changed only along `JobStatus`'s diagram: each event
/// is one UPDATE whose WHERE names the statuses it may leave, so a row that moved meanwhile (another
/// process took it, its owner stopped it) is left as it is, and the caller learns so.
enum JobRecords {
    /// Applies `event` to job `id` if its status allows it (and is one of `from`, when given); whether
    /// it did. `failure` goes with `fail` and `interrupt`.
    @discardableResult
    static func apply(_ event: JobStatus.Event, to kind: JobKind, id: String, failure: JobFailure? = nil, from: [JobStatus]? = nil,
                      on db: any Connection) throws -> Bool {
        let (assignments, arguments) = effects(of: event, failure: failure)
        let sources = JobStatus.sources(of: event).filter { from?.contains($0) ?? true }
        return try db.run("UPDATE \(kind.table) SET \(assignments) WHERE id = ? AND status IN (\(quoted(sources)))",
                          arguments + [id]) == 1
    }

    /// Job `id`'s status, if there is such a job.
    static func status(of kind: JobKind, id: String, on db: any Connection) throws -> JobStatus? {
        try db.queryOne("SELECT status FROM \(kind.table) WHERE id = ?", [id]).flatMap { JobStatus(rawValue: try $0.string("status")) }
    }

    /// How many of `kind`'s waiting jobs, up to `limit`, ask for devices `accepts` takes.
    static func waiting(_ kind: JobKind, limit: Int, accepting accepts: (String?) -> Bool, on db: any Connection) throws -> Int {
        min(limit, try candidates(kind, on: db).filter { accepts($0.device) }.count)
    }

    /// Claims the oldest waiting job of `kind` whose devices `accepts` takes, for `process`: it becomes
    /// `running`, one attempt more; its id, or nil when none waits. On PostgreSQL the rows looked at are
    /// locked, and those another process is claiming skipped, so processes claiming together do not
    /// queue behind one another; on SQLite the write transaction alone orders them.
    static func claimNext(_ kind: JobKind, by process: String, accepting accepts: (String?) -> Bool, on db: any Connection) throws -> String? {
        let locking = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        guard let job = try candidates(kind, suffix: locking, on: db).first(where: { accepts($0.device) }) else { return nil }
        let (assignments, arguments) = effects(of: .start, failure: nil)
        let claimed = try db.run("""
            UPDATE \(kind.table) SET \(assignments), claimed_by = ?, attempts = attempts + 1, stop_requested = 0
            WHERE id = ? AND status = 'pending'
            """, arguments + [process, job.id])
        return claimed == 1 ? job.id : nil
    }

    /// Records, for the process running job `id`, that it should stop.
    static func requestStop(_ kind: JobKind, id: String, on db: any Connection) throws {
        try db.run("UPDATE \(kind.table) SET stop_requested = 1 WHERE id = ? AND status = 'running'", [id])
    }

    /// The running jobs of `process` that were asked to stop.
    static func stopsRequested(claimedBy process: String, on db: any Connection) throws -> [(JobKind, String)] {
        try JobKind.allCases.flatMap { kind in
            try db.query("SELECT id FROM \(kind.table) WHERE claimed_by = ? AND status = 'running' AND stop_requested = 1", [process])
                .map { (kind, try $0.string("id")) }
        }
    }

    /// Settles the running jobs claimed by one of `processes`, and with `unclaimed` those no process
    /// claimed (left by a Quarry from before claims): back to `pending`, or for good after the kind's
    /// last attempt (`JobKind.afterLastAttempt`); how many moved.
    @discardableResult
    static func settle(_ kind: JobKind, claimedBy processes: [String], unclaimed: Bool, on db: any Connection) throws -> Int {
        var owners = processes.isEmpty ? [] : ["claimed_by IN (\(processes.map { _ in "?" }.joined(separator: ", ")))"]
        if unclaimed { owners.append("claimed_by IS NULL") }
        guard !owners.isEmpty else { return 0 }
        let held = "status = 'running' AND (\(owners.joined(separator: " OR ")))"
        let (last, failure) = kind.afterLastAttempt
        let (finalAssignments, finalArguments) = effects(of: last, failure: failure)
        let (releaseAssignments, releaseArguments) = effects(of: .release, failure: nil)
        let final = try db.run("UPDATE \(kind.table) SET \(finalAssignments) WHERE \(held) AND attempts >= ?",
                               finalArguments + processes + [JobKind.maximumAttempts])
        return final + (try db.run("UPDATE \(kind.table) SET \(releaseAssignments) WHERE \(held)", releaseArguments + processes))
    }

    /// `status IN (…)` for the active statuses, for queries that count or guard waiting work.
    static var active: String { quoted(JobStatus.active) }

    /// The oldest waiting jobs of `kind`, and the devices each asks for.
    private static func candidates(_ kind: JobKind, suffix: String = "", on db: any Connection) throws -> [(id: String, device: String?)] {
        let device = kind.deviceColumn ?? "NULL"
        return try db.query("""
            SELECT id, \(device) AS device FROM \(kind.table) WHERE status = 'pending' ORDER BY created_at, id LIMIT \(candidateWindow)\(suffix)
            """).map { (try $0.string("id"), try $0.optionalString("device")) }
    }

    /// How many waiting jobs a claim looks at for one this process can take: jobs for devices it lacks
    /// may be ahead in the queue.
    private static let candidateWindow = 32

    /// The columns an event sets: starting stamps the first start (a resumed run keeps it) and clears the
    /// last failure; ending stamps the finish; releasing lets the claim go; resuming starts the attempts again.
    private static func effects(of event: JobStatus.Event, failure: JobFailure?) -> (String, [any SQLConvertible]) {
        let status = event.result
        switch event {
        case .start:
            return ("status = ?, error = NULL, error_type = NULL, started_at = COALESCE(started_at, ?), finished_at = NULL",
                    [status.rawValue, Timestamp.now()])
        case .release:
            return ("status = ?, claimed_by = NULL", [status.rawValue])
        case .resume:
            return ("status = ?, error = NULL, error_type = NULL, finished_at = NULL, claimed_by = NULL, attempts = 0, stop_requested = 0",
                    [status.rawValue])
        case .complete, .fail, .stop, .interrupt:
            return ("status = ?, error = ?, error_type = ?, finished_at = ?",
                    [status.rawValue, failure?.message, failure?.kind.rawValue, Timestamp.now()])
        }
    }

    private static func quoted(_ statuses: [JobStatus]) -> String {
        statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}

import Storage

/// The job runner's columns of every job table, changed only along `JobStatus`'s diagram: each event
/// is one UPDATE whose WHERE names the statuses it may leave, so a row that moved meanwhile (another
/// worker took it, its owner stopped it) is left as it is, and the caller learns so.
enum JobRecords {
    /// Applies `event` to job `id` if its status allows it; whether it did. `failure` goes with `fail`.
    @discardableResult
    static func apply(_ event: JobStatus.Event, to kind: JobKind, id: String, failure: JobFailure? = nil, on db: any Connection) throws -> Bool {
        let (assignments, arguments) = effects(of: event, failure: failure)
        return try db.run("UPDATE \(kind.table) SET \(assignments) WHERE id = ? AND status IN (\(sources(event)))",
                          arguments + [id]) == 1
    }

    /// Job `id`'s status, if there is such a job.
    static func status(of kind: JobKind, id: String, on db: any Connection) throws -> JobStatus? {
        try db.queryOne("SELECT status FROM \(kind.table) WHERE id = ?", [id]).flatMap { JobStatus(rawValue: try $0.string("status")) }
    }

    /// Marks job `id` as this process's (`ProcessRegistry`), so that the others settle it if the process goes.
    static func claim(_ kind: JobKind, id: String, by process: String, on db: any Connection) throws {
        try db.run("UPDATE \(kind.table) SET claimed_by = ? WHERE id = ?", [process, id])
    }

    /// Applies the kind's restart event to every active job claimed by one of `processes`, and with
    /// `unclaimed` to those no process claimed (left by a Quarry from before claims); how many moved.
    @discardableResult
    static func settle(_ kind: JobKind, claimedBy processes: [String], unclaimed: Bool, on db: any Connection) throws -> Int {
        let (event, failure) = kind.afterRestart
        let (assignments, arguments) = effects(of: event, failure: failure)
        var owners = processes.isEmpty ? [] : ["claimed_by IN (\(processes.map { _ in "?" }.joined(separator: ", ")))"]
        if unclaimed { owners.append("claimed_by IS NULL") }
        guard !owners.isEmpty else { return 0 }
        return try db.run("UPDATE \(kind.table) SET \(assignments) WHERE status IN (\(sources(event))) AND (\(owners.joined(separator: " OR ")))",
                          arguments + processes)
    }

    /// `status IN (…)` for the active statuses, for queries that count or guard waiting work.
    static var active: String { quoted(JobStatus.active) }

    /// The columns an event sets: starting stamps the first start (a resumed run keeps it) and clears the
    /// last failure; ending stamps the finish; resuming clears both.
    private static func effects(of event: JobStatus.Event, failure: JobFailure?) -> (String, [any SQLConvertible]) {
        let status = event.result
        switch event {
        case .start:
            return ("status = ?, error = NULL, error_type = NULL, started_at = COALESCE(started_at, ?), finished_at = NULL",
                    [status.rawValue, Timestamp.now()])
        case .resume:
            return ("status = ?, error = NULL, error_type = NULL, finished_at = NULL", [status.rawValue])
        case .complete, .fail, .stop, .interrupt:
            return ("status = ?, error = ?, error_type = ?, finished_at = ?",
                    [status.rawValue, failure?.message, failure?.kind.rawValue, Timestamp.now()])
        }
    }

    private static func sources(_ event: JobStatus.Event) -> String {
        quoted(JobStatus.sources(of: event))
    }

    private static func quoted(_ statuses: [JobStatus]) -> String {
        statuses.map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}

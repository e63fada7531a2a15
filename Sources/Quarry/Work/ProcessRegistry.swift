import Crypto
import Foundation
import Glibc
import Storage

/// This process among those sharing the database: a row of `processes` whose heartbeat it refreshes
/// (`beat`), so that the others can tell when it has gone and settle the jobs it held
/// (`JobRunner.settleAbandoned`). A process is gone when it left (`leave`, at a clean shutdown), when
/// its heart stopped for `ProcessRegistry.silence`, or at once when it ran on this host, in this pid
/// namespace, and its pid is no longer alive (a crash, then a restart on the same machine).
final class ProcessRegistry: Sendable {
    /// What the process is: a server, which also performs work, or a worker, which only performs it.
    enum Role: String, Sendable {
        case serve
        case worker
    }

    let id: String
    let host: String
    let pid: Int32
    let role: Role
    let devices: WorkDevices
    private let database: any Database

    /// How long a process may go without a heartbeat before the others take it for dead; heartbeats
    /// come every `beatInterval`.
    static let silence: Duration = .seconds(20)
    static let beatInterval: Duration = .seconds(2)

    init(database: any Database, role: Role, devices: WorkDevices) {
        self.database = database
        (self.role, self.devices) = (role, devices)
        host = Self.localHost()
        pid = getpid()
        id = "\(ProcessInfo.processInfo.hostName)-\(pid)-\(SecureRandom.hex(bytes: 4))"
    }

    /// Adds this process's row; `beat` adds it again should another process have taken it for dead.
    func join() throws {
        try database.write { db in try insert(on: db) }
    }

    func beat() throws {
        try database.write { db in
            if try db.run("UPDATE processes SET heartbeat_at = ? WHERE id = ?", [Timestamp.now(), id]) == 0 {
                try insert(on: db)
            }
        }
    }

    /// At a clean shutdown: the others may settle what this process left at once.
    func leave() throws {
        try database.write { db in try db.run("DELETE FROM processes WHERE id = ?", [id]) }
    }

    /// The processes that hold jobs or webhook deliveries but have gone, their rows removed; called
    /// inside the write that settles what they held.
    func departed(on db: any Connection) throws -> [String] {
        let holdings = JobKind.allCases.map { "SELECT claimed_by FROM \($0.table) WHERE status IN (\(JobRecords.active))" }
            + ["SELECT claimed_by FROM webhook_deliveries WHERE status = 'pending'"]
        let cutoff = Timestamp.format(Date().addingTimeInterval(-Self.silence.seconds))
        // Silent ones go whether or not they hold anything: the devices listing shows live processes only.
        try db.run("DELETE FROM processes WHERE heartbeat_at < ? AND id <> ?", [cutoff, id])
        let claimers = Set(try db.query("""
            SELECT DISTINCT claimed_by FROM (\(holdings.joined(separator: " UNION "))) AS held WHERE claimed_by IS NOT NULL
            """).map { try $0.string("claimed_by") })
        guard !claimers.isEmpty else { return [] }
        var present: [String: (host: String, pid: Int32, heartbeat: String)] = [:]
        for row in try db.query("SELECT id, host, pid, heartbeat_at FROM processes") {
            present[try row.string("id")] = (try row.string("host"), Int32(try row.int("pid")), try row.string("heartbeat_at"))
        }
        let gone = claimers.filter { claimer in
            guard claimer != id else { return false }
            guard let process = present[claimer] else { return true }
            if process.heartbeat < cutoff { return true }
            // On this machine a pid that is not alive is a process that crashed.
            return process.host == host && kill(process.pid, 0) != 0 && errno == ESRCH
        }
        for claimer in gone { try db.run("DELETE FROM processes WHERE id = ?", [claimer]) }
        return gone.sorted()
    }

    /// The processes whose hearts beat within `silence`: their host names (without the pid namespace),
    /// what they are, and the devices they take work for.
    static func live(on db: any Connection) throws -> [(host: String, role: Role, devices: [String])] {
        let cutoff = Timestamp.format(Date().addingTimeInterval(-silence.seconds))
        return try db.query("SELECT host, role, devices FROM processes WHERE heartbeat_at >= ? ORDER BY host, id", [cutoff]).map { row in
            (String(try row.string("host").split(separator: " ").first ?? ""), Role(rawValue: try row.string("role")) ?? .serve,
             WorkDevices.names(in: try row.string("devices")))
        }
    }

    /// The host name and the pid namespace: two containers may share a host name (host networking) but
    /// not pids, and a pid is only looked up where it means the same process.
    private static func localHost() -> String {
        let namespace = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid")) ?? "pid:[?]"
        return "\(ProcessInfo.processInfo.hostName) \(namespace)"
    }

    private func insert(on db: any Connection) throws {
        let now = Timestamp.now()
        try db.run("""
            INSERT INTO processes (id, host, pid, started_at, heartbeat_at, role, devices) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
            """, [id, host, Int(pid), now, now, role.rawValue, devices.description])
    }
}

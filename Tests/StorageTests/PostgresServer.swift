import Foundation
import Glibc
@testable import Storage
import Synchronization
import Testing

/// A private PostgreSQL server for the PostgreSQL backend's tests: Debian's server binaries
/// (`make test-deps` installs the postgresql package), a cluster made by initdb in a temporary
/// folder, password (SCRAM) authentication, listening on a free loopback port. Each test makes a
/// database of its own (`withDatabase`), so tests run in parallel.
///
/// initdb and postgres refuse to run as root. When the tests run as root, both run as the
/// `postgres` account the Debian package creates, through `setpriv` (util-linux), which switches
/// user and then execs, so the pid this class holds is the server's own.
final class PostgresServer: Sendable {
    static let user = "quarry_test"

    let port: Int
    let directory: String
    private let password: String
    private let binaries: String
    private let account: Account?
    private let pid = Mutex<pid_t>(0)

    /// The user the server runs as when the tests run as root.
    private struct Account {
        let name: String
        let uid: uid_t
        let gid: gid_t
    }

    @TaskLocal static var current: PostgresServer?

    /// The running server of the suite this test belongs to.
    static func shared() throws -> PostgresServer {
        try #require(current, "the test's suite must have the .postgres trait")
    }

    /// Makes the cluster and starts the server; returns once it accepts connections. Fails, never
    /// skips, when the binaries cannot be found.
    init() throws {
        binaries = try Self.locateBinaries()
        account = try Self.serverAccount()
        // The server's account must reach the folder: /tmp rather than a TMPDIR that may sit in root's home.
        let base = account == nil ? FileManager.default.temporaryDirectory.path : "/tmp"
        directory = "\(base)/quarry-postgres-\(UUID().uuidString.prefix(8))"
        password = UUID().uuidString
        port = try Self.freePort()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        do {
            try password.write(toFile: "\(directory)/password", atomically: false, encoding: .utf8)
            if let account {
                for path in [directory, "\(directory)/password"] where chown(path, account.uid, account.gid) != 0 {
                    throw PostgresServerError("chown \(path) to \(account.name): \(String(cString: strerror(errno)))")
                }
            }
            try initdb()
            try start()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// A URL for `database` as the cluster's superuser.
    func url(database: String = "postgres") -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs `body` with the URL of a new, empty database, dropped afterwards.
    func withDatabase<T>(_ body: (String) throws -> T) throws -> T {
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try admin { try $0.execute("CREATE DATABASE \(name)") }
        defer { try? admin { try $0.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") } }
        return try body(url(database: name))
    }

    private func admin(_ body: (PostgresConnection) throws -> Void) throws {
        let connection = try PostgresConnection(url: url())
        defer { connection.close() }
        try body(connection)
    }

    private func initdb() throws {
        let arguments = ["-D", "\(directory)/data", "--locale=C", "--encoding=UTF8", "--auth=scram-sha-256",
                         "--username=\(Self.user)", "--pwfile=\(directory)/password", "--no-sync"]
        let child = try spawn("\(binaries)/initdb", arguments, log: "\(directory)/initdb.log")
        let status = Self.wait(for: child)
        guard status == 0 else {
            throw PostgresServerError("initdb failed (status \(status)); its log:\n\(log("initdb.log"))")
        }
    }

    /// Starts the server on the cluster, with durability off (the data dies with the folder), and
    /// waits until it accepts connections.
    func start() throws {
        let arguments = ["-D", "\(directory)/data", "-p", "\(port)", "-k", directory,
                         "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200",
                         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        let child = try spawn("\(binaries)/postgres", arguments, log: "\(directory)/server.log", append: true)
        pid.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                try admin { _ in }
                return
            } catch {
                var status: Int32 = 0
                if waitpid(child, &status, WNOHANG) == child {
                    pid.withLock { $0 = 0 }
                    throw PostgresServerError("postgres exited while starting; its log:\n\(log("server.log"))")
                }
                guard ContinuousClock.now < deadline else {
                    stop()
                    throw PostgresServerError("postgres did not accept connections within 30 s (\(error)); its log:\n\(log("server.log"))")
                }
                usleep(50_000)
            }
        }
    }

    /// Fast shutdown (SIGINT): sessions are ended with 57P01 and the server exits; immediate
    /// shutdown (SIGQUIT) if that takes more than 10 s.
    func stop() {
        let child = pid.withLock { pid in
            defer { pid = 0 }
            return pid
        }
        guard child > 0 else { return }
        kill(child, SIGINT)
        let deadline = ContinuousClock.now + .seconds(10)
        var status: Int32 = 0
        while waitpid(child, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                kill(child, SIGQUIT)
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                return
            }
            usleep(10_000)
        }
    }

    func restart() throws {
        stop()
        try start()
    }

    /// Stops the server and removes the cluster.
    func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func log(_ name: String) -> String {
        String(((try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? "").suffix(4000))
    }

    /// posix_spawn as in `SeaweedFS.spawn`, through setpriv when the server must run as another user.
    private func spawn(_ executable: String, _ arguments: [String], log: String, append: Bool = false) throws -> pid_t {
        var command = [executable] + arguments
        if let account {
            command = ["/usr/bin/setpriv", "--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--"] + command
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0o666)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test runner's threads may block or ignore signals the child inherits; postgres must hear SIGINT.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, command[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw PostgresServerError("cannot start \(command[0]): \(String(cString: strerror(result)))") }
        return child
    }

    private static func wait(for child: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// `QUARRY_PG_BIN` if set; else `pg_config --bindir` where it holds the server (Debian's
    /// libpq-dev pg_config does); else the newest /usr/lib/postgresql/*/bin.
    static func locateBinaries() throws -> String {
        let hasServer = { (folder: String) in access("\(folder)/initdb", X_OK) == 0 && access("\(folder)/postgres", X_OK) == 0 }
        if let folder = ProcessInfo.processInfo.environment["QUARRY_PG_BIN"], !folder.isEmpty {
            guard hasServer(folder) else { throw PostgresServerError("QUARRY_PG_BIN=\(folder) holds no initdb and postgres") }
            return folder
        }
        if let folder = pgConfigBindir(), hasServer(folder) { return folder }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) where hasServer("/usr/lib/postgresql/\(version)/bin") {
            return "/usr/lib/postgresql/\(version)/bin"
        }
        throw PostgresServerError("""
            PostgreSQL's server binaries (initdb, postgres) were not found (looked in QUARRY_PG_BIN, \
            `pg_config --bindir` and /usr/lib/postgresql/*/bin): `make test-deps` installs them (Debian's postgresql package)
            """)
    }

    private static func pgConfigBindir() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pg_config", "--bindir"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let folder = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return folder.isEmpty ? nil : folder
    }

    /// The `postgres` account when running as root, nil otherwise.
    private static func serverAccount() throws -> Account? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam("postgres") else {
            throw PostgresServerError("""
                the tests run as root, and PostgreSQL refuses to: they run it as the `postgres` account, which \
                does not exist; `make test-deps` creates it (Debian's postgresql package)
                """)
        }
        guard access("/usr/bin/setpriv", X_OK) == 0 else {
            throw PostgresServerError("the tests run as root and need /usr/bin/setpriv (util-linux) to run PostgreSQL as `postgres`")
        }
        return Account(name: "postgres", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// A port the kernel calls free on 127.0.0.1, released for the server to bind.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PostgresServerError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresServerError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct PostgresServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Starts a PostgreSQL server once around a whole suite, and stops and removes it after the suite's
/// last test.
struct PostgresTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try PostgresServer()
        defer { server.remove() }
        try await PostgresServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == PostgresTrait {
    static var postgres: Self { Self() }
}

/// A `PostgresDatabase` on a new database of the suite's server, closed when `body` returns.
func withPostgres<T>(migrations: [Migration] = [], connections: Int = 8,
                     _ body: (PostgresDatabase) throws -> T) throws -> T {
    try PostgresServer.shared().withDatabase { url in
        let database = try PostgresDatabase(url: url, migrations: migrations, connections: connections)
        defer { database.close() }
        return try body(database)
    }
}

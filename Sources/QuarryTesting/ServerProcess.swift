import Foundation
import Synchronization

/// The real `quarry` binary, started on an ephemeral port with its own data directory, for
/// end-to-end tests. Its stderr (startup line and access log) is collected for assertions.
public final class ServerProcess: Sendable {
    public let port: Int
    public let dataDirectory: TemporaryDirectory
    private let process: Process
    private let log: SharedText

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `.build/<config>/quarry`, beside the test bundle; `QUARRY_BINARY` overrides.
    public static var binary: String {
        if let path = ProcessInfo.processInfo.environment["QUARRY_BINARY"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundleDirectory.appendingPathComponent("quarry").path
    }

    public init(environment: [String: String] = [:]) throws {
        let directory = try TemporaryDirectory("quarry-e2e")
        dataDirectory = directory
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--host", "127.0.0.1", "--port", "0", "--data", "\(directory.path)/data"]
        var env = ProcessInfo.processInfo.environment
        env["QUARRY_EVENT_LOOPS"] = "2"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try Self.launch(process)
        self.process = process

        let log = SharedText()
        self.log = log
        let ready = DispatchSemaphore(value: 0)
        let reader = stderr.fileHandleForReading
        Thread.detachNewThread {
            var announced = false
            while true {
                let data = reader.availableData
                if data.isEmpty { break }
                let text = String(decoding: data, as: UTF8.self)
                let full = log.append(text)
                if !announced && full.contains("listening on ") {
                    announced = true
                    ready.signal()
                }
            }
            if !announced { ready.signal() }
        }
        guard ready.wait(timeout: .now() + 30) == .success,
              let match = log.text.firstMatch(of: /listening on 127\.0\.0\.1:(\d+)/),
              let port = Int(match.1) else {
            process.terminate()
            throw Failure(description: "server did not start: \(log.text)")
        }
        self.port = port
    }

    /// Starts a child process. Launches are serialized: Foundation's Process on Linux can hand a
    /// child a descriptor another thread is closing at that moment (EBADF) when tests spawn in parallel.
    public static func launch(_ process: Process) throws {
        try launchLock.withLock { try process.run() }
    }

    private static let launchLock = NSLock()

    /// What the server has written to stderr so far.
    public var output: String { log.text }

    public func client(timeout: Double = 10) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Sends SIGTERM without waiting.
    public func terminate() { process.terminate() }

    /// Waits for the process to exit and returns its status (nil on timeout).
    public func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, wait, and remove the data directory.
    public func stop() {
        if process.isRunning {
            process.terminate()
            if waitForExit() == nil { kill(process.processIdentifier, SIGKILL) }
        }
        dataDirectory.remove()
    }
}

/// Text appended by one thread and read by others.
private final class SharedText: Sendable {
    private let storage = Mutex("")

    /// Appends and returns everything so far.
    func append(_ text: String) -> String {
        storage.withLock { $0 += text; return $0 }
    }

    var text: String { storage.withLock { $0 } }
}

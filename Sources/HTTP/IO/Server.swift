import Foundation
import Synchronization

/// The HTTP/1.1 server: one event loop per core, each with its own listening socket, and a
/// bounded pool for handlers. `start` returns once every loop is accepting; `shutdown` drains.
public final class Server: Sendable {
    private let context: ServerContext
    private let loopCount: Int
    private let loops = Mutex<[EventLoop]>([])

    public init(router: Router, limits: Limits = Limits(), spoolDirectory: String,
                errorResponder: @escaping ErrorResponder = DefaultErrorResponder.json,
                accessLog: Bool = true, eventLoops: Int = ProcessInfo.processInfo.activeProcessorCount,
                metrics: RequestMetrics? = nil, cors: CORSPolicy? = nil) {
        context = ServerContext(router: router, limits: limits, spoolDirectory: spoolDirectory,
                                errorResponder: errorResponder, accessLog: accessLog, metrics: metrics, cors: cors)
        loopCount = max(1, eventLoops)
    }

    /// Binds and starts serving; returns the bound port (the kernel's choice when `port` is 0).
    @discardableResult
    public func start(host: String, port: Int) throws -> Int {
        var boundPort = port
        var started: [EventLoop] = []
        do {
            for index in 0..<loopCount {
                let listener = try Socket.listen(host: host, port: boundPort, reusePort: true)
                if boundPort == 0 { boundPort = try Socket.boundPort(listener) }
                do {
                    started.append(try EventLoop(index: index, context: context, listener: listener))
                } catch {
                    close(listener)
                    throw error
                }
            }
        } catch {
            // Nothing was started yet; dropping the loops closes their epoll sets.
            throw error
        }
        started.forEach { $0.start() }
        loops.withLock { $0 = started }
        return boundPort
    }

    /// Graceful stop: no new connections, idle ones closed, in-flight requests given up to
    /// `limits.shutdownGrace` to finish (their responses say `Connection: close`), then the rest
    /// are closed. Returns when every loop has stopped and the handler threads are told to end.
    public func shutdown() {
        let running = loops.withLock { loops in
            defer { loops = [] }
            return loops
        }
        let deadline = MonotonicClock.now() + context.limits.shutdownGrace.nanoseconds
        running.forEach { $0.beginDraining(deadline: deadline) }
        running.forEach { $0.waitUntilStopped() }
        context.pool.stop()
    }

    public var openConnections: Int { context.openConnections.load(ordering: .relaxed) }
}

public enum ResourceLimits {
    /// Raises the soft open-file limit to the hard one: each connection is a descriptor, and the
    /// default soft limit (often 1024) would cap the server far below `Limits.maxConnections`.
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
    }

    private static var RLIMIT_NOFILE_VALUE: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}

import CLinux
import Foundation
import Synchronization

/// One thread, one epoll set, its own listening socket (SO_REUSEPORT) and the connections it
/// accepted. Other threads reach it only through `execute`, which queues a closure and pokes
/// an eventfd; everything else here runs on the loop's thread.
final class EventLoop: @unchecked Sendable {
    let index: Int
    let context: ServerContext
    let epoll: Epoll
    private let wakeFD: Int32
    private var listenerFD: Int32?
    private var connections: [Int32: Connection] = [:]
    private let inbox = Mutex<(tasks: [@Sendable () -> Void], signalled: Bool)>(([], false))

    // Loop-thread state shared with its connections.
    var accessLog: AccessLog
    var date = HTTPDate()
    var requestIDs: RequestIDGenerator
    private(set) var now: UInt64 = MonotonicClock.now()
    private(set) var draining = false
    private var drainDeadline: UInt64 = 0
    private var lastSweep: UInt64 = 0
    private let stopped = DispatchSemaphore(value: 0)

    init(index: Int, context: ServerContext, listener: Int32) throws {
        self.index = index
        self.context = context
        epoll = try Epoll()
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw IOError(errno: errno, function: "eventfd") }
        listenerFD = listener
        accessLog = AccessLog(enabled: context.accessLog)
        requestIDs = RequestIDGenerator(loopIndex: index)
        try epoll.add(wakeFD, .read)
        try epoll.add(listener, .read)
        date.refresh()
    }

    deinit { Glibc.close(wakeFD) }

    func start() {
        let thread = Thread { [self] in
            run()
            stopped.signal()
        }
        thread.name = "quarry-loop-\(index)"
        thread.start()
    }

    /// Runs `task` on the loop's thread soon. Safe from any thread.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let mustSignal = inbox.withLock { inbox -> Bool in
            inbox.tasks.append(task)
            defer { inbox.signalled = true }
            return !inbox.signalled
        }
        if mustSignal {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// Stops accepting and lets in-flight requests finish until `deadline`; then closes the rest.
    func beginDraining(deadline: UInt64) {
        execute { [self] in
            draining = true
            drainDeadline = deadline
            if let listenerFD {
                epoll.remove(listenerFD)
                Glibc.close(listenerFD)
                self.listenerFD = nil
            }
            for connection in Array(connections.values) { drain(connection) }
        }
    }

    func waitUntilStopped() { stopped.wait() }

    func forget(_ connection: Connection) {
        epoll.remove(connection.fd)
        connections[connection.fd] = nil
        context.openConnections.subtract(1, ordering: .relaxed)
    }

    private func run() {
        let capacity = 256
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while !(draining && connections.isEmpty) {
            let count = (try? epoll.wait(events, timeoutMilliseconds: 250)) ?? 0
            now = MonotonicClock.now()
            date.refresh()
            for event in events.prefix(count) {
                let fd = event.data.fd
                if fd == wakeFD {
                    runInbox()
                } else if fd == listenerFD {
                    acceptConnections()
                } else if let connection = connections[fd] {
                    dispatch(event.events, to: connection)
                }
            }
            if now &- lastSweep > 250_000_000 {
                lastSweep = now
                sweepTimeouts()
            }
            accessLog.flush()
        }
        accessLog.flush()
    }

    private func dispatch(_ events: UInt32, to connection: Connection) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
            connection.close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 {
            connection.pump()
        }
        if events & EPOLLIN.rawValue != 0, !connection.isClosed {
            connection.readable()
        } else if events & EPOLLRDHUP.rawValue != 0, !connection.isClosed {
            connection.hungUp()
        }
    }

    private func runInbox() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, 8)
        let tasks = inbox.withLock { inbox in
            defer { inbox = ([], false) }
            return inbox.tasks
        }
        for task in tasks { task() }
    }

    private func acceptConnections() {
        guard let listenerFD else { return }
        // Bounded per wake-up so one busy listener cannot starve the connections already open.
        for _ in 0..<64 {
            guard let accepted = try? Socket.accept(listenerFD) else { return }
            let open = context.openConnections.wrappingAdd(1, ordering: .relaxed).newValue
            if open > context.limits.maxConnections {
                context.openConnections.subtract(1, ordering: .relaxed)
                refuse(accepted.fd)
                continue
            }
            let connection = Connection(fd: accepted.fd, remote: accepted.remote, local: Socket.arrival(accepted.fd), loop: self)
            connections[accepted.fd] = connection
            do {
                try epoll.add(accepted.fd, connection.interest)
            } catch {
                connection.close()
            }
        }
    }

    /// Over the connection limit: a best-effort 503 so the client knows why, then close.
    private func refuse(_ fd: Int32) {
        let message = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 39\r\nConnection: close\r\n\r\n{\"error\":\"too many open connections\"}\r\n"
        _ = message.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        Glibc.close(fd)
    }

    private func drain(_ connection: Connection) {
        switch connection.state.phase {
        case .idle:
            connection.close()
        case .writingBody(_, .stream(let body, _)):
            // Streams (event feeds) never end on their own; end them so the client sees a clean finish.
            body.finish()
        default:
            break
        }
    }

    private func sweepTimeouts() {
        let limits = context.limits
        for connection in Array(connections.values) {
            if draining && now >= drainDeadline {
                connection.close()
                continue
            }
            connection.checkTimeout(now: now, limits: limits)
        }
    }
}

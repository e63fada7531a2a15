import CLinux
import Glibc

/// A thin owner of one epoll instance. Level-triggered throughout: a connection that stops
/// reading (while its handler runs) drops EPOLLIN from its interest instead of having to drain
/// the socket on every edge.
struct Epoll: ~Copyable {
    let descriptor: Int32

    struct Interest: OptionSet {
        let rawValue: UInt32
        static let read = Interest(rawValue: EPOLLIN.rawValue)
        static let write = Interest(rawValue: EPOLLOUT.rawValue)
        /// Peer closed its writing side: lets us notice a vanished client even while not reading.
        static let readHangup = Interest(rawValue: EPOLLRDHUP.rawValue)
    }

    init() throws(IOError) {
        descriptor = try syscallChecked("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    deinit { close(descriptor) }

    func add(_ fd: Int32, _ interest: Interest) throws(IOError) {
        try control(EPOLL_CTL_ADD, fd, interest)
    }

    func modify(_ fd: Int32, _ interest: Interest) throws(IOError) {
        try control(EPOLL_CTL_MOD, fd, interest)
    }

    func remove(_ fd: Int32) {
        // Closing a descriptor removes it from epoll anyway; an explicit delete keeps the set exact
        // while the descriptor is still open, and its failure changes nothing.
        _ = epoll_ctl(descriptor, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMilliseconds` and fills `events`; returns how many are ready.
    func wait(_ events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) throws(IOError) -> Int {
        switch try syscall("epoll_wait", { epoll_wait(descriptor, events.baseAddress, Int32(events.count), timeoutMilliseconds) }) {
        case .done(let count): return Int(count)
        case .wouldBlock: return 0
        }
    }

    private func control(_ op: Int32, _ fd: Int32, _ interest: Interest) throws(IOError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.fd = fd
        _ = try syscallChecked("epoll_ctl") { epoll_ctl(descriptor, op, fd, &event) }
    }
}

import Glibc

/// An errno from a system call, with the call that failed so logs point at the cause.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public let errno: Int32
    public let function: String

    public var description: String { "\(function): \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// What a non-blocking call did: the value, or "would block" (EAGAIN), which is flow control, not an error.
enum IOResult<T> {
    case done(T)
    case wouldBlock
}

/// Runs a system call, retrying on EINTR, mapping EAGAIN to `.wouldBlock` and any other failure to `IOError`.
/// EBADF and EFAULT trap: they mean we passed a closed descriptor or a bad pointer, a bug in this code
/// that must not be papered over as an I/O error (the same stance as SwiftNIO's System.swift).
@inline(__always)
func syscall<T: FixedWidthInteger>(_ function: StaticString, _ body: () -> T) throws(IOError) -> IOResult<T> {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let code = errno
        switch code {
        case EINTR: continue
        case EAGAIN: return .wouldBlock
        case EBADF, EFAULT: fatalError("\(function) failed with errno \(code): a descriptor or buffer bug")
        default: throw IOError(errno: code, function: "\(function)")
        }
    }
}

/// A blocking-style wrapper for calls where EAGAIN cannot happen (socket setup, epoll_ctl).
@inline(__always)
func syscallChecked<T: FixedWidthInteger>(_ function: StaticString, _ body: () -> T) throws(IOError) -> T {
    switch try syscall(function, body) {
    case .done(let value): return value
    case .wouldBlock: throw IOError(errno: EAGAIN, function: "\(function)")
    }
}

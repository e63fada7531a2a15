import CLinux
import Glibc

/// Socket set-up and accept, the only place that deals in sockaddr.
enum Socket {
    /// Opens a non-blocking listening socket. With `reusePort`, every event loop binds its own socket
    /// to the same port and the kernel spreads new connections across them, so loops never contend
    /// on one accept queue.
    static func listen(host: String, port: Int, reusePort: Bool, backlog: Int32 = 4096) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw ListenError.cannotResolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }

        let fd = try syscallChecked("socket") {
            socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        do {
            try setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
            if reusePort { try setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1) }
            _ = try syscallChecked("bind") { bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) }
            _ = try syscallChecked("listen") { Glibc.listen(fd, backlog) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The port a socket is bound to (after binding port 0, the one the kernel chose).
    static func boundPort(_ fd: Int32) throws(IOError) -> Int {
        Int(try local(fd).port)
    }

    /// Where an accepted connection arrived, as a URL authority (`192.0.2.1:8080`, `[2001:db8::1]:8080`),
    /// for links to a client that named no usable `Host`. An IPv4 client of a dual-stack socket reads as IPv4.
    static func arrival(_ fd: Int32) -> String? {
        guard let (address, port) = try? local(fd) else { return nil }
        let mapped = "::ffff:"
        if address.hasPrefix(mapped), !address.dropFirst(mapped.count).contains(":") {
            return "\(address.dropFirst(mapped.count)):\(port)"
        }
        return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    private static func local(_ fd: Int32) throws(IOError) -> (address: String, port: UInt16) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(IOError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(IOError) in
                try syscallChecked("getsockname") { getsockname(fd, address, &length) }
            }
        }
        return describe(storage)
    }

    /// Accepts one connection; nil when none is waiting.
    static func accept(_ listener: Int32) throws(IOError) -> (fd: Int32, remote: String)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = try withUnsafeMutablePointer(to: &storage) { pointer throws(IOError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(IOError) in
                try syscall("accept4") {
                    quarry_accept4(listener, address, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
        }
        guard case .done(let fd) = result else { return nil }
        // Responses are written whole; Nagle's algorithm would only delay the last segment.
        try? setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let (address, _) = describe(storage)
        return (fd, address)
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws(IOError) {
        var value = value
        _ = try syscallChecked("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    private static func describe(_ storage: sockaddr_storage) -> (address: String, port: UInt16) {
        var storage = storage
        let family = Int32(storage.ss_family)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        return withUnsafePointer(to: &storage) { pointer in
            switch family {
            case AF_INET:
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                    return (String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), UInt16(bigEndian: v4.pointee.sin_port))
                }
            case AF_INET6:
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                    return (String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), UInt16(bigEndian: v6.pointee.sin6_port))
                }
            default:
                return ("unknown", 0)
            }
        }
    }
}

public enum ListenError: Error, CustomStringConvertible {
    case cannotResolve(host: String, reason: String)

    public var description: String {
        switch self {
        case .cannotResolve(let host, let reason): "cannot resolve listen address \(host): \(reason)"
        }
    }
}

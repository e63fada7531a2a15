import Foundation
import Glibc

/// systemd's readiness protocol without libsystemd (sd_notify(3)): a datagram with `READY=1` once the
/// server listens, `STOPPING=1` when it begins to shut down, sent to the socket named by `NOTIFY_SOCKET`
/// (a path, or `@name` in the abstract namespace). Without the variable, as outside systemd, it does nothing.
struct SystemdNotify {
    let socketPath: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    func stopping() { send("STOPPING=1") }

    /// Best effort: a notification that cannot be sent is logged, never fatal.
    private func send(_ message: String) {
        guard let socketPath else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return Output.log("warning: NOTIFY_SOCKET: no socket (\(errno))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        // An abstract socket's name starts with a NUL byte where the variable has '@'.
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return Output.log("warning: NOTIFY_SOCKET path is too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count)
        let sent = Array(message.utf8).withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes.baseAddress, bytes.count, 0, $0, length) }
            }
        }
        if sent < 0 { Output.log("warning: NOTIFY_SOCKET: not sent (errno \(errno))") }
    }
}

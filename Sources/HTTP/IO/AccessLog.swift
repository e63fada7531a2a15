import Glibc

/// One line per request on stderr: `time request-id method path status bytes ms`.
/// Lines are gathered per event-loop iteration and written with one write(2), so logging costs
/// a syscall per batch rather than per request.
struct AccessLog {
    private var pending: [UInt8] = []
    private var timestampSecond: time_t = 0
    private var timestamp = ""
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    mutating func record(requestID: String, method: Method, path: String, status: Int, bytes: Int, milliseconds: Double) {
        guard enabled else { return }
        refreshTimestamp()
        let ms = (milliseconds * 100).rounded() / 100
        // The path is logged raw (still percent-encoded) and clipped, so a hostile target cannot forge log lines.
        let line = "\(timestamp) \(requestID) \(method.rawValue) \(path.prefix(512)) \(status) \(bytes)B \(ms)ms\n"
        pending.append(contentsOf: line.utf8)
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        var offset = 0
        pending.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    // Nowhere left to report a failing stderr; dropping the lines keeps the server serving.
                    return
                }
                offset += written
            }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private mutating func refreshTimestamp() {
        var now = time(nil)
        guard now != timestampSecond else { return }
        timestampSecond = now
        var parts = tm()
        gmtime_r(&now, &parts)
        var text = [CChar](repeating: 0, count: 32)
        strftime(&text, text.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        timestamp = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

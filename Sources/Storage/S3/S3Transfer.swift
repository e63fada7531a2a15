import CCurl
import Foundation
import Glibc

/// One S3 request on one libcurl easy handle: the method, URL and header fields (already signed),
/// a body streamed from memory or from a file as curl asks for it, and the answer collected into
/// memory or written to a file. Nothing here knows S3's rules; `S3Client` builds and signs the request.
final class S3Transfer {
    /// What a request sends.
    enum Body {
        case none
        case bytes([UInt8])
        /// `length` bytes of the open file `fd` from `offset`, read with pread as curl asks, so a large
        /// file is never held whole in memory, and several parts of one file can be sent at once.
        case file(fd: Int32, offset: Int, length: Int)

        var length: Int {
            switch self {
            case .none: 0
            case .bytes(let bytes): bytes.count
            case .file(_, _, let length): length
            }
        }
    }

    /// Where a successful answer's body goes. An error's body always goes to memory, to be parsed.
    enum Sink {
        case memory(limit: Int)
        case file(fd: Int32)
    }

    struct Response {
        var status: Int
        /// Lowercased names; a name sent twice keeps its last value (S3 sends none twice).
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Time limits for one request: `total` bounds a request whose size is known to be small; a
    /// streamed one has none, as its length is the caller's, and is bounded by `stall` instead: the
    /// transfer is abandoned once it moves less than 1 KiB a second for that long.
    struct Limits {
        var connect: Duration
        var total: Duration?
        var stall: Duration
    }

    /// How much of an error body is kept: S3's are a few hundred bytes.
    private static let errorBodyLimit = 64 << 10

    private let easy: CurlEasy
    private let state: State

    init(method: String, url: String, headers: [(name: String, value: String)], body: Body, sink: Sink,
         limits: Limits) throws(S3Error) {
        guard let easy = CurlEasy(url: url) else { throw .transport(reason: "the HTTP client could not be initialised") }
        self.easy = easy
        state = State(body: body, sink: sink)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(limits.connect))
        if let total = limits.total { easy.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(total)) }
        easy.set(CURLOPT_LOW_SPEED_LIMIT, 1024)
        easy.set(CURLOPT_LOW_SPEED_TIME, max(1, Self.milliseconds(limits.stall) / 1000))

        let user = Unmanaged.passUnretained(state).toOpaque()
        easy.set { quarry_curl_setopt_write($0, receiveBody) }
        easy.set(CURLOPT_WRITEDATA, user)
        easy.set { quarry_curl_setopt_header($0, receiveHeader) }
        easy.set(CURLOPT_HEADERDATA, user)

        var fields = headers.map { "\($0.name): \($0.value)" }
        switch method {
        case "GET":
            break
        case "HEAD":
            easy.set(CURLOPT_NOBODY, 1)
        case "PUT":
            // PUT through curl's upload mode, so the body is pulled from `sendBody` as the socket drains.
            easy.set(CURLOPT_UPLOAD, 1)
            easy.setLarge(CURLOPT_INFILESIZE_LARGE, body.length)
        case "POST":
            easy.set(CURLOPT_POST, 1)
            easy.setLarge(CURLOPT_POSTFIELDSIZE_LARGE, body.length)
            // curl would label the body a form; S3's POSTs carry XML or nothing.
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) { fields.append("Content-Type:") }
        default:
            easy.set(CURLOPT_CUSTOMREQUEST, method)
        }
        if method == "PUT" || method == "POST" {
            easy.set { quarry_curl_setopt_read($0, sendBody) }
            easy.set(CURLOPT_READDATA, user)
            // A large body waits for the store's go-ahead, so a refusal (a wrong signature) comes back as
            // S3's answer before megabytes are sent into a connection the store is closing; a small one
            // is sent at once rather than after curl's wait for a 100 some servers never send.
            fields.append(body.length > 64 << 10 ? "Expect: 100-continue" : "Expect:")
        }
        easy.setHeaders(fields)
    }

    /// Runs the request. An HTTP error status is returned, not thrown: only the caller knows what a 404
    /// means for its operation. `operation` names the request in a timeout.
    func perform(operation: String) throws(S3Error) -> Response {
        guard easy.setupFailure == CURLE_OK else { throw .transport(reason: String(cString: curl_easy_strerror(easy.setupFailure))) }
        let code = easy.perform()
        if let failure = state.localFailure { throw failure }
        switch code {
        case CURLE_OK:
            return Response(status: easy.responseCode, headers: state.headers, body: state.received)
        case CURLE_OPERATION_TIMEDOUT:
            throw .timedOut(operation: operation)
        default:
            throw .transport(reason: easy.describe(code))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// What curl's callbacks read and write, reached through the user pointer; used by one thread, the
    /// one in `perform`.
    final class State {
        let body: Body
        let sink: Sink
        var sent = 0
        var status = 0
        var headers: [String: String] = [:]
        var received: [UInt8] = []
        /// Set by a callback that stopped the transfer, and thrown instead of curl's own code for it.
        var localFailure: S3Error?

        init(body: Body, sink: Sink) {
            self.body = body
            self.sink = sink
        }

        /// Fills `buffer` with the next bytes of the body; 0 at its end, nil on a read error.
        func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int? {
            let count = min(buffer.count, body.length - sent)
            guard count > 0, let base = buffer.baseAddress else { return 0 }
            switch body {
            case .none:
                return 0
            case .bytes(let bytes):
                bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress! + sent, byteCount: count) }
            case .file(let fd, let offset, _):
                var read = 0
                repeat { read = Glibc.pread(fd, base, count, off_t(offset + sent)) } while read < 0 && errno == EINTR
                guard read > 0 else {
                    // Zero before the promised length: the file shrank under us.
                    let reason = read == 0 ? "the file ended early" : String(cString: strerror(errno))
                    localFailure = .invalidRequest("reading the upload: \(reason)")
                    return nil
                }
                sent += read
                return read
            }
            sent += count
            return count
        }

        /// Takes a piece of the answer's body; false stops the transfer.
        func take(_ bytes: UnsafeRawBufferPointer) -> Bool {
            switch sink {
            case .memory(let limit) where status < 300:
                guard received.count + bytes.count <= limit else {
                    localFailure = .tooLarge(limit: limit)
                    return false
                }
                received.append(contentsOf: bytes)
            case .file(let fd) where status < 300:
                var offset = 0
                while offset < bytes.count {
                    let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else {
                        localFailure = .invalidRequest("writing the download: \(String(cString: strerror(errno)))")
                        return false
                    }
                    offset += written
                }
            default:
                // An error's body: kept up to a bound, the rest dropped rather than failing the transfer.
                received.append(contentsOf: bytes.prefix(max(0, S3Transfer.errorBodyLimit - received.count)))
            }
            return true
        }

        /// One header line. A status line starts a new response (a 100 Continue comes before the real one).
        func header(_ line: String) {
            if line.hasPrefix("HTTP/") {
                let parts = line.split(separator: " ")
                status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
                headers = [:]
                return
            }
            guard let colon = line.firstIndex(of: ":") else { return }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}

/// CURLOPT_READFUNCTION: the next bytes of the request body.
private func sendBody(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user, let buffer else { return Int(CURL_READFUNC_ABORT) }
    let state = Unmanaged<S3Transfer.State>.fromOpaque(user).takeUnretainedValue()
    return state.fill(UnsafeMutableRawBufferPointer(start: buffer, count: size * count)) ?? Int(CURL_READFUNC_ABORT)
}

/// CURLOPT_WRITEFUNCTION: returning less than was offered makes curl stop with CURLE_WRITE_ERROR.
private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let state = Unmanaged<S3Transfer.State>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    return state.take(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
}

/// CURLOPT_HEADERFUNCTION: one whole header line at a time, its CRLF included.
private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user, let data else { return 0 }
    let state = Unmanaged<S3Transfer.State>.fromOpaque(user).takeUnretainedValue()
    let length = size * count
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    state.header(String(decoding: bytes, as: UTF8.self))
    return length
}

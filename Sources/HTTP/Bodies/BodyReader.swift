import CLinux
import Glibc

/// Collects one request body as it arrives, in memory up to a threshold and in a spool file past it,
/// enforcing the route's size limit as bytes come (a chunked body has no length to check up front).
final class BodyReader {
    enum Failure: Error {
        case tooLarge
        case malformed(ParseError)
        case spool(IOError)
    }

    private enum Framing {
        case length(remaining: Int)
        case chunked(ChunkedDecoder)
    }

    private var framing: Framing
    private let maxBytes: Int
    private let memoryThreshold: Int
    private let spoolDirectory: String
    private var memory: [UInt8] = []
    private var spool: (fd: Int32, path: String)?
    private var size = 0
    private(set) var isComplete = false

    init(framing: BodyFraming, maxBytes: Int, memoryThreshold: Int, spoolDirectory: String) {
        switch framing {
        case .length(let count):
            self.framing = .length(remaining: count)
            isComplete = count == 0
        case .chunked:
            self.framing = .chunked(ChunkedDecoder())
        case .none:
            self.framing = .length(remaining: 0)
            isComplete = true
        }
        self.maxBytes = maxBytes
        self.memoryThreshold = memoryThreshold
        self.spoolDirectory = spoolDirectory
        if case .length(let count) = framing, count <= memoryThreshold { memory.reserveCapacity(count) }
    }

    deinit {
        if let spool {
            close(spool.fd)
            unlink(spool.path)
        }
    }

    /// Takes body bytes from the front of `input`; returns how many it consumed.
    func feed(_ input: UnsafeRawBufferPointer) throws(Failure) -> Int {
        switch framing {
        case .length(let remaining):
            let count = min(remaining, input.count)
            try store(UnsafeRawBufferPointer(rebasing: input[..<count]))
            framing = .length(remaining: remaining - count)
            isComplete = remaining == count
            return count
        case .chunked(var decoder):
            var failure: Failure?
            let consumed: Int
            do {
                consumed = try decoder.decode(input) { piece in
                    guard failure == nil else { return }
                    do throws(Failure) { try self.store(piece) } catch { failure = error }
                }
            } catch {
                throw .malformed(error)
            }
            if let failure { throw failure }
            isComplete = decoder.isComplete
            framing = .chunked(decoder)
            return consumed
        }
    }

    /// The finished body; the spool file, if any, now belongs to the request.
    func finish() -> RequestBody {
        if let spool {
            close(spool.fd)
            let body = RequestBody.file(SpooledFile(path: spool.path, size: size))
            self.spool = nil
            return body
        }
        return memory.isEmpty ? .empty : .bytes(memory)
    }

    private func store(_ piece: UnsafeRawBufferPointer) throws(Failure) {
        guard !piece.isEmpty else { return }
        guard size + piece.count <= maxBytes else { throw .tooLarge }
        size += piece.count
        if spool == nil && size <= memoryThreshold {
            memory.append(contentsOf: piece)
            return
        }
        if spool == nil {
            try openSpool()
        }
        if let error = write(piece) { throw .spool(error) }
    }

    private func openSpool() throws(Failure) {
        var template = Array("\(spoolDirectory)/body-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { quarry_mkostemp($0.baseAddress!, O_CLOEXEC) }
        guard fd >= 0 else { throw .spool(IOError(errno: errno, function: "mkostemp")) }
        spool = (fd, String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
        let buffered = memory
        memory = []
        if let error = buffered.withUnsafeBytes({ write($0) }) { throw .spool(error) }
    }

    /// Appends to the spool file; returns the error rather than throwing so it can run inside `withUnsafeBytes`.
    private func write(_ bytes: UnsafeRawBufferPointer) -> IOError? {
        guard let fd = spool?.fd else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return IOError(errno: errno, function: "write")
            }
            offset += written
        }
        return nil
    }
}

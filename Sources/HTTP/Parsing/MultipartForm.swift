import Foundation

/// One field of a multipart/form-data body.
public struct MultipartPart: Sendable {
    public let headers: HTTPFields
    /// The `name` parameter of the part's Content-Disposition: the form field it belongs to.
    public let name: String
    /// The `filename` parameter, exactly as the client sent it. It is metadata for display only:
    /// never build a file system path from it, since it may hold `../`, `/`, or anything else.
    public let filename: String?
    public let contentType: String?
    public let content: Content

    public enum Content: Sendable {
        case bytes([UInt8])
        /// Spooled to disk because it was larger than `Limits.multipartMemoryThreshold`.
        case file(SpooledFile)
    }

    public var size: Int {
        switch content {
        case .bytes(let bytes): bytes.count
        case .file(let file): file.size
        }
    }
}

public enum MultipartForm {
    /// How much of a spooled body is read at a time.
    static let readSize = 64 * 1024

    /// Reads the body (in memory, or from its spooled file in 64 KiB pieces, never whole into memory)
    /// and returns its parts, in body order. Parts up to `limits.multipartMemoryThreshold` bytes stay
    /// in memory; larger ones are written to new files in `spoolDirectory` (unique random names,
    /// created with O_EXCL and mode 0600). The caller owns the returned files and must remove them.
    ///
    /// Throws `MultipartError` for a body the client got wrong (`limits.maxMultipartParts`,
    /// `maxPartBytes` and a part without a `name` included), or `POSIXError` when reading the body
    /// or writing a spool file fails (`.ENOSPC` when the disk is full). On any error every file this
    /// call created is removed.
    public static func parse(_ request: Request, limits: Limits, spoolDirectory: String,
                             maxPartBytes: Int) throws -> [MultipartPart] {
        guard let contentType = request.headers["Content-Type"],
              ParameterizedHeaderValue(contentType)?.value == "multipart/form-data" else {
            throw MultipartError.notMultipart
        }
        guard let boundary = MultipartParser.boundary(contentType: contentType) else {
            throw MultipartError.missingBoundary
        }
        var collector = PartCollector(memoryThreshold: limits.multipartMemoryThreshold,
                                      maxParts: limits.maxMultipartParts, maxPartBytes: maxPartBytes,
                                      spoolDirectory: spoolDirectory)
        do {
            var parser = MultipartParser(boundary: boundary)
            try forEachPiece(of: request.body) { piece in
                try parser.feed(piece) { try collector.handle($0) }
            }
            try parser.finish()
            return collector.parts
        } catch {
            collector.removeFiles()
            throw error
        }
    }

    private static func forEachPiece(of body: RequestBody, _ consume: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch body {
        case .empty:
            return
        case .bytes(let bytes):
            try bytes.withUnsafeBytes(consume)
        case .file(let file):
            let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw POSIXError.current }
            defer { close(descriptor) }
            var buffer = [UInt8](repeating: 0, count: readSize)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count == 0 { return }
                if count < 0 {
                    if errno == EINTR { continue }
                    throw POSIXError.current
                }
                try buffer.withUnsafeBytes { try consume(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
        }
    }
}

/// Turns parser events into parts, keeping small ones in memory and spooling large ones, and
/// remembers every file it created so a failed parse can remove them all.
private struct PartCollector {
    let memoryThreshold: Int
    let maxParts: Int
    let maxPartBytes: Int
    let spoolDirectory: String
    private(set) var parts: [MultipartPart] = []
    private var current: (headers: HTTPFields, name: String, filename: String?)?
    private var buffer: [UInt8] = []
    private var size = 0
    private var spool: (path: String, descriptor: Int32)?
    private var createdPaths: [String] = []

    init(memoryThreshold: Int, maxParts: Int, maxPartBytes: Int, spoolDirectory: String) {
        self.memoryThreshold = memoryThreshold
        self.maxParts = maxParts
        self.maxPartBytes = maxPartBytes
        self.spoolDirectory = spoolDirectory
    }

    mutating func handle(_ event: MultipartParser.Event) throws {
        switch event {
        case .partBegin(let headers):
            guard parts.count < maxParts else { throw MultipartError.tooManyParts(limit: maxParts) }
            guard let disposition = headers["Content-Disposition"].flatMap(ParameterizedHeaderValue.init),
                  disposition.value == "form-data", let name = disposition["name"] else {
                throw MultipartError.malformed("a part lacks 'Content-Disposition: form-data' with a name")
            }
            // RFC 7578 §4.2: `filename` is the client's suggestion, kept as text; `filename*` is
            // not used in form-data and is ignored.
            current = (headers, name, disposition["filename"])
        case .partData(let data):
            size += data.count
            guard size <= maxPartBytes else { throw MultipartError.partTooLarge(limit: maxPartBytes) }
            if spool == nil, size > memoryThreshold {
                let created = try createSpoolFile()
                spool = created
                try buffer.withUnsafeBytes { try writeAll(created.descriptor, $0) }
                buffer = []
            }
            if let spool {
                try writeAll(spool.descriptor, data)
            } else {
                buffer.append(contentsOf: data)
            }
        case .partEnd:
            guard let current else { preconditionFailure("the parser ends only parts it began") }
            let content: MultipartPart.Content
            if let spool {
                self.spool = nil
                // Linux frees the descriptor even when close fails; the path stays listed for removal.
                guard close(spool.descriptor) == 0 else { throw POSIXError.current }
                content = .file(SpooledFile(path: spool.path, size: size))
            } else {
                content = .bytes(buffer)
            }
            parts.append(MultipartPart(headers: current.headers, name: current.name, filename: current.filename,
                                       contentType: current.headers["Content-Type"], content: content))
            self.current = nil
            buffer = []
            size = 0
        }
    }

    /// Closes the open spool file, if any, and removes every file this collector created.
    func removeFiles() {
        if let spool { close(spool.descriptor) }
        for path in createdPaths { unlink(path) }
    }

    /// A new file under a random name: O_EXCL makes sure it is ours and not a planted link.
    private mutating func createSpoolFile() throws -> (path: String, descriptor: Int32) {
        var random = SystemRandomNumberGenerator()
        while true {
            let (high, low): (UInt64, UInt64) = (random.next(), random.next())
            let path = "\(spoolDirectory)/multipart-\(String(high, radix: 16))-\(String(low, radix: 16))"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                createdPaths.append(path)
                return (path, descriptor)
            }
            // With 128 random bits a clash means a planted name, not bad luck; trying again is safe.
            guard errno == EEXIST else { throw POSIXError.current }
        }
    }

    private func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw POSIXError.current
            }
            offset += written
        }
    }
}

extension POSIXError {
    /// The error `errno` holds now; EIO if it holds none Foundation knows.
    static var current: POSIXError { POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
}

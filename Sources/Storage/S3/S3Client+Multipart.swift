import Crypto
import Glibc

/// Multipart uploads: a large file sent as numbered parts, each its own signed request (so a failure
/// costs one part, not the file), then joined by the store into one object. S3 wants every part but the
/// last to be at least 5 MiB, and at most 10,000 parts.
extension S3Client {
    /// The smallest part S3 accepts (all but the last part).
    public static let minimumPartSize = 5 << 20
    public static let maximumPartCount = 10_000

    /// A part as the completing request names it.
    public struct Part: Sendable, Equatable {
        public var number: Int
        public var etag: String
    }

    /// Starts an upload to `key` and returns its upload id.
    public func createMultipartUpload(key: String) throws(S3Error) -> String {
        let response = try send("POST", key: key, query: [("uploads", "")], body: .bytes([]), operation: "create upload \(key)")
        try Self.check(response)
        guard let root = S3XML.parse(response.body), root.name == "InitiateMultipartUploadResult",
              let id = root.text("UploadId"), !id.isEmpty else {
            throw .invalidResponse("starting an upload gave no UploadId")
        }
        return id
    }

    /// Sends part `number` (1-based) from `length` bytes of the open file `fd` at `offset`, whose SHA-256 is
    /// computed here (one more read of the part, from the page cache for a file just written).
    public func uploadPart(key: String, uploadID: String, number: Int, fd: Int32, offset: Int, length: Int) throws(S3Error) -> Part {
        let hash = try OpenFile.sha256(fd: fd, offset: offset, length: length)
        return try uploadPart(key: key, uploadID: uploadID, number: number, body: .file(fd: fd, offset: offset, length: length),
                              payloadHash: hash, streamed: true)
    }

    /// Sends part `number` (1-based) from memory.
    public func uploadPart(key: String, uploadID: String, number: Int, bytes: [UInt8]) throws(S3Error) -> Part {
        try uploadPart(key: key, uploadID: uploadID, number: number, body: .bytes(bytes), payloadHash: nil, streamed: false)
    }

    private func uploadPart(key: String, uploadID: String, number: Int, body: S3Transfer.Body, payloadHash: String?,
                            streamed: Bool) throws(S3Error) -> Part {
        guard (1...Self.maximumPartCount).contains(number) else { throw .invalidRequest("part number \(number) is outside 1–10000") }
        let response = try send("PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body,
                                payloadHash: payloadHash, streamed: streamed, operation: "upload part \(number) of \(key)")
        try Self.check(response)
        guard let etag = response.headers["etag"], !etag.isEmpty else { throw .invalidResponse("part \(number) gave no ETag") }
        return Part(number: number, etag: Self.unquoted(etag))
    }

    /// Joins the parts, in number order, into the object.
    public func completeMultipartUpload(key: String, uploadID: String, parts: [Part]) throws(S3Error) {
        let items = parts.sorted { $0.number < $1.number }.map {
            "<Part><PartNumber>\($0.number)</PartNumber><ETag>\"\(XMLText.escape($0.etag))\"</ETag></Part>"
        }
        let document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(items.joined())</CompleteMultipartUpload>"
        // Joining a large object can take long: the store may send spaces to keep the connection alive.
        let response = try send("POST", key: key, query: [("uploadId", uploadID)], headers: [("Content-Type", "application/xml")],
                                body: .bytes(Array(document.utf8)), streamed: true, operation: "complete upload \(key)")
        try Self.check(response)
        // S3 may answer 200 and still fail: the error then is the body, after the status was sent.
        let root = S3XML.parse(response.body)
        if root?.name == "Error" {
            throw S3Error.from(status: 500, body: response.body, requestID: response.headers["x-amz-request-id"])
        }
        guard root?.name == "CompleteMultipartUploadResult" else { throw .invalidResponse("completing an upload gave no result") }
    }

    /// Abandons an upload, freeing the parts sent so far.
    public func abortMultipartUpload(key: String, uploadID: String) throws(S3Error) {
        try Self.check(send("DELETE", key: key, query: [("uploadId", uploadID)], operation: "abort upload \(key)"))
    }

    /// Stores the file at `path` under `key`: in one request up to `partSize`, in parts of `partSize` past
    /// it, aborting the upload if a part fails so no parts are left behind to be billed. `sha256` is the
    /// whole file's, used for the one-request case (a content-addressed blob knows it already).
    public func upload(file path: String, key: String, sha256: String? = nil, partSize: Int = 16 << 20) throws(S3Error) {
        guard partSize >= Self.minimumPartSize else {
            throw .invalidRequest("a part size of \(partSize) bytes is under S3's minimum of \(Self.minimumPartSize)")
        }
        let file = try OpenFile(path)
        defer { file.close() }
        guard file.size > partSize else { return try put(file: file, key: key, sha256: sha256) }
        let count = (file.size + partSize - 1) / partSize
        guard count <= Self.maximumPartCount else {
            throw .invalidRequest("\(file.size) bytes in parts of \(partSize) would take \(count) parts, over S3's 10000")
        }
        let uploadID = try createMultipartUpload(key: key)
        do {
            var parts: [Part] = []
            for index in 0..<count {
                let offset = index * partSize
                parts.append(try uploadPart(key: key, uploadID: uploadID, number: index + 1, fd: file.fd, offset: offset,
                                            length: min(partSize, file.size - offset)))
            }
            try completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
        } catch {
            // Best effort: the upload's own error is the one worth reporting.
            try? abortMultipartUpload(key: key, uploadID: uploadID)
            throw error
        }
    }
}

/// A file opened for reading, with its size taken once: the body's length is signed and announced before
/// it is sent, so a file still growing is sent as it was when opened.
struct OpenFile {
    let fd: Int32
    let size: Int
    let path: String

    init(_ path: String) throws(S3Error) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .invalidRequest("cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw .invalidRequest("cannot stat \(path): \(reason)")
        }
        self.fd = fd
        size = Int(info.st_size)
        self.path = path
    }

    func close() { Glibc.close(fd) }

    func sha256(offset: Int, length: Int) throws(S3Error) -> String {
        try Self.sha256(fd: fd, offset: offset, length: length)
    }

    /// The hex SHA-256 of `length` bytes of `fd` from `offset`, read with pread in 1 MiB pieces.
    static func sha256(fd: Int32, offset: Int, length: Int) throws(S3Error) -> String {
        var hasher = SHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var done = 0
        while done < length {
            let read = Glibc.pread(fd, buffer.baseAddress, min(buffer.count, length - done), off_t(offset + done))
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else {
                throw .invalidRequest("reading the upload: \(read == 0 ? "the file ended early" : String(cString: strerror(errno)))")
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<read]))
            done += read
        }
        return Hex.encode(hasher.finalize())
    }
}

import Crypto
import Foundation
import Glibc

/// An S3-compatible object store's bucket, reached path-style (`endpoint/bucket/key`, which SeaweedFS
/// and MinIO expect and AWS still serves), every request signed with `SignatureV4`. Each call makes
/// one request on its own connection and blocks until it is answered; calls may run on many threads
/// at once. A refusal is an `S3Error` carrying S3's code, so a wrong secret reads as
/// `SignatureDoesNotMatch` rather than as a failed download.
///
/// Multipart uploads, for files past one request's reasonable size, are in `S3Client+Multipart.swift`.
public struct S3Client: Sendable {
    public struct Configuration: Sendable {
        /// `http://host:port` or `https://host`; a path after the authority is kept in front of the bucket.
        public var endpoint: String
        public var bucket: String
        public var region: String
        public var accessKeyID: String
        public var secretAccessKey: String
        public var timeouts: Timeouts

        public init(endpoint: String, bucket: String, region: String, accessKeyID: String, secretAccessKey: String,
                    timeouts: Timeouts = Timeouts()) {
            self.endpoint = endpoint
            self.bucket = bucket
            self.region = region
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.timeouts = timeouts
        }
    }

    /// Every request has `connect` to open its connection. One whose body and answer are small (all but
    /// file uploads, parts and downloads) has `request` for the whole exchange; a streamed one, whose length
    /// is the caller's, is instead abandoned when it moves under 1 KiB a second for `stall`.
    public struct Timeouts: Sendable {
        public var connect: Duration
        public var request: Duration
        public var stall: Duration

        public init(connect: Duration = .seconds(10), request: Duration = .seconds(60), stall: Duration = .seconds(60)) {
            self.connect = connect
            self.request = request
            self.stall = stall
        }
    }

    /// One object of a listing.
    public struct Object: Sendable, Equatable {
        public var key: String
        public var size: Int
        public var etag: String
    }

    /// A page of a listing; `continuation` is given back to `list` for the next page, nil after the last.
    public struct ListPage: Sendable {
        public var objects: [Object]
        public var continuation: String?
    }

    public let bucket: String
    let signer: SignatureV4
    /// `scheme://authority` and the path before the bucket, as the endpoint spelled them.
    let origin: String
    let basePath: String
    /// The `Host` field sent and signed: the endpoint's authority, its port included when it named one.
    let host: String
    let timeouts: Timeouts

    /// How much `get` holds in memory unless told otherwise; a larger object is for `download`.
    public static let defaultGetLimit = 64 << 20

    public init(_ configuration: Configuration) throws(S3Error) {
        let endpoint = configuration.endpoint
        guard let schemeEnd = endpoint.range(of: "://"),
              ["http", "https"].contains(endpoint[..<schemeEnd.lowerBound].lowercased()) else {
            throw .invalidRequest("the endpoint \(endpoint) is not an http or https URL")
        }
        let rest = endpoint[schemeEnd.upperBound...]
        let authority = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        // Credentials belong in the signature, never in the URL, and a query would be signed as the request's.
        guard !authority.isEmpty, !authority.contains("@"), !rest.contains("?"), !rest.contains("#") else {
            throw .invalidRequest("the endpoint \(endpoint) must be scheme://host[:port][/path], with no user, query or fragment")
        }
        // Bucket names are DNS-like (S3's rules); refusing others keeps the path unambiguous.
        guard !configuration.bucket.isEmpty, configuration.bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.".contains($0)) }) else {
            throw .invalidRequest("the bucket name \(configuration.bucket) is not a valid S3 bucket name")
        }
        origin = endpoint[..<schemeEnd.upperBound].lowercased() + authority
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        host = authority
        bucket = configuration.bucket
        signer = SignatureV4(accessKeyID: configuration.accessKeyID, secretAccessKey: configuration.secretAccessKey,
                             region: configuration.region)
        timeouts = configuration.timeouts
    }

    // MARK: Objects

    /// Stores `bytes` under `key`, replacing what was there. The body's SHA-256 is signed, so the store
    /// refuses it if a byte changes on the way.
    public func put(_ bytes: [UInt8], key: String, contentType: String? = nil) throws(S3Error) {
        let headers = contentType.map { [("Content-Type", $0)] } ?? []
        let response = try send("PUT", key: key, headers: headers, body: .bytes(bytes), operation: "PUT \(key)")
        try Self.check(response)
    }

    /// Stores the file at `path` under `key` in one request, read from disk as it is sent. `sha256` is its
    /// hex digest when the caller knows it (a content-addressed blob's key); otherwise the file is read once
    /// more to compute it. S3 takes at most 5 GiB in one request: `upload` picks multipart past a size.
    public func put(file path: String, key: String, sha256: String? = nil) throws(S3Error) {
        let file = try OpenFile(path)
        defer { file.close() }
        try put(file: file, key: key, sha256: sha256)
    }

    func put(file: OpenFile, key: String, sha256: String?) throws(S3Error) {
        let hash = if let sha256 { sha256 } else { try file.sha256(offset: 0, length: file.size) }
        let response = try send("PUT", key: key, body: .file(fd: file.fd, offset: 0, length: file.size),
                                payloadHash: hash, streamed: true, operation: "PUT \(key)")
        try Self.check(response)
    }

    /// The object's bytes, or those of `range` (offsets into the object, as a `Range: bytes=` asks); an
    /// object, or a range, longer than `limit` is refused rather than held. A missing key is
    /// `S3Error.service` with code `NoSuchKey`.
    public func get(key: String, range: Range<Int>? = nil, limit: Int = S3Client.defaultGetLimit) throws(S3Error) -> [UInt8] {
        var headers: [(String, String)] = []
        if let range {
            guard !range.isEmpty, range.lowerBound >= 0 else { throw .invalidRequest("an empty or negative byte range") }
            headers.append(("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try send("GET", key: key, headers: headers, sink: .memory(limit: limit), operation: "GET \(key)")
        try Self.check(response)
        // A store that ignores Range answers 200 with the whole object; the caller still gets what it asked.
        if let range, response.status == 200 {
            return Array(response.body[min(range.lowerBound, response.body.count)..<min(range.upperBound, response.body.count)])
        }
        return response.body
    }

    /// Writes the object to a new file at `path` (replacing one there) as it arrives, and returns its size.
    public func download(key: String, to path: String) throws(S3Error) -> Int {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .invalidRequest("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        do throws(S3Error) {
            let response = try send("GET", key: key, sink: .file(fd: fd), streamed: true, operation: "GET \(key)")
            try Self.check(response)
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw .invalidRequest("cannot stat \(path): \(String(cString: strerror(errno)))") }
            return Int(info.st_size)
        } catch {
            // A part of an object must not pass for the object.
            unlink(path)
            throw error
        }
    }

    /// The object's size in bytes, or nil when there is no object under `key`.
    public func head(key: String) throws(S3Error) -> Int? {
        let response = try send("HEAD", key: key, operation: "HEAD \(key)")
        if response.status == 404 { return nil }
        try Self.check(response)
        guard let length = response.headers["content-length"].flatMap({ Int($0) }) else {
            throw .invalidResponse("HEAD \(key) gave no Content-Length")
        }
        return length
    }

    /// Removes the object. Removing a key that holds nothing succeeds, as S3 answers it.
    public func delete(key: String) throws(S3Error) {
        try Self.check(send("DELETE", key: key, operation: "DELETE \(key)"))
    }

    /// Up to `maxKeys` objects whose keys start with `prefix`, in key order (ListObjectsV2).
    public func list(prefix: String = "", continuation: String? = nil, maxKeys: Int = 1000) throws(S3Error) -> ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if let continuation { query.append(("continuation-token", continuation)) }
        let response = try send("GET", key: nil, query: query, operation: "list \(prefix)")
        try Self.check(response)
        guard let root = S3XML.parse(response.body), root.name == "ListBucketResult" else {
            throw .invalidResponse("a listing that is not a ListBucketResult")
        }
        var objects: [Object] = []
        for entry in root.children("Contents") {
            guard let key = entry.text("Key"), let size = entry.text("Size").flatMap({ Int($0) }) else {
                throw .invalidResponse("a listed object without a key or a size")
            }
            objects.append(Object(key: key, size: size, etag: Self.unquoted(entry.text("ETag") ?? "")))
        }
        let truncated = root.text("IsTruncated") == "true"
        let next = root.text("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        guard !truncated || next != nil else { throw .invalidResponse("a truncated listing without a continuation token") }
        return ListPage(objects: objects, continuation: truncated ? next : nil)
    }

    /// Checks that the endpoint answers, the bucket exists and the credentials are accepted, by listing at
    /// most one key: a start-up check whose failure is S3's own words (`SignatureDoesNotMatch`,
    /// `InvalidAccessKeyId`, `NoSuchBucket`).
    public func verifyAccess(prefix: String = "") throws(S3Error) {
        _ = try list(prefix: prefix, maxKeys: 1)
    }

    /// Creates the bucket in the client's region, for setting up a store; one that exists and is ours is
    /// left as it is. AWS wants any region but its first named in the body; other stores ignore it.
    public func createBucket() throws(S3Error) {
        let location = signer.region == "us-east-1" ? "" : """
            <CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\
            <LocationConstraint>\(XMLText.escape(signer.region))</LocationConstraint></CreateBucketConfiguration>
            """
        let response = try send("PUT", key: nil, body: .bytes(Array(location.utf8)), operation: "create bucket \(bucket)")
        if response.status == 409, S3Error.from(status: 409, body: response.body, requestID: nil).code == "BucketAlreadyOwnedByYou" { return }
        try Self.check(response)
    }

    /// A URL that lets whoever holds it GET the object, with no credentials, for `expires` (at most a
    /// week, S3's bound), so a download can be handed to the store instead of passing through us.
    /// `contentType` and `contentDisposition` are what the store answers in those fields (S3's
    /// `response-content-type` and `response-content-disposition`), signed with the rest.
    public func presignedURL(key: String, expires: Duration, contentType: String? = nil, contentDisposition: String? = nil,
                             at date: Date = Date()) -> String {
        let path = objectPath(key)
        let overrides = [("response-content-disposition", contentDisposition), ("response-content-type", contentType)]
            .compactMap { name, value in value.map { (name: name, value: $0) } }
        let request = SignatureV4.Request(method: "GET", path: path, query: overrides, headers: [("host", host)],
                                          payloadHash: SignatureV4.unsignedPayload)
        let query = signer.presign(request, at: date, expires: Int(expires.components.seconds))
        return origin + SignatureV4.encodePath(path) + "?" + SignatureV4.encodeQuery(query)
    }

    // MARK: Requests

    func objectPath(_ key: String?) -> String {
        guard let key else { return "\(basePath)/\(bucket)" }
        return "\(basePath)/\(bucket)/\(key)"
    }

    /// Signs and sends one request on the bucket (`key` nil) or an object. `payloadHash` is needed only for
    /// a file body (the others are hashed here); `streamed` lifts the total time limit for a body or answer
    /// whose length is the caller's.
    func send(_ method: String, key: String?, query: [(name: String, value: String)] = [],
              headers: [(String, String)] = [], body: S3Transfer.Body = .none, payloadHash: String? = nil,
              sink: S3Transfer.Sink = .memory(limit: 1 << 20), streamed: Bool = false,
              operation: String) throws(S3Error) -> S3Transfer.Response {
        let hash: String
        switch body {
        case .none: hash = SignatureV4.emptyPayload
        case .bytes(let bytes): hash = Hex.encode(SHA256.hash(bytes))
        case .file:
            guard let payloadHash else { throw .invalidRequest("a file body without its SHA-256") }
            hash = payloadHash
        }
        let path = objectPath(key)
        let fields = headers.map { (name: $0.0, value: $0.1) }
        let request = SignatureV4.Request(method: method, path: path, query: query, headers: fields + [("host", host)],
                                          payloadHash: hash)
        let signed = signer.sign(request, at: Date())
        var url = origin + SignatureV4.encodePath(path)
        if !query.isEmpty { url += "?" + SignatureV4.encodeQuery(query) }
        // Host is set rather than left to curl so what is sent is exactly what was signed.
        let transfer = try S3Transfer(method: method, url: url, headers: fields + signed + [("Host", host)], body: body,
                                      sink: sink, limits: .init(connect: timeouts.connect,
                                                                total: streamed ? nil : timeouts.request,
                                                                stall: timeouts.stall))
        return try transfer.perform(operation: operation)
    }

    /// Throws the store's error for a status outside 2xx.
    static func check(_ response: S3Transfer.Response) throws(S3Error) {
        guard (200..<300).contains(response.status) else {
            throw S3Error.from(status: response.status, body: response.body, requestID: response.headers["x-amz-request-id"])
        }
    }

    /// An ETag without the quotes S3 puts around it.
    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}

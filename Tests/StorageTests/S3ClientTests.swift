import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
@testable import Storage
import Testing

/// The S3 client against a real S3 implementation (SeaweedFS, `SeaweedFS.swift`) that checks every
/// signature. Each test works under its own key prefix, so they can run at once on the one store.
@Suite(.seaweedFS)
struct S3ClientTests {
    let store: SeaweedFS
    let client: S3Client
    let prefix = "test-\(UUID().uuidString)/"

    init() throws {
        store = try SeaweedFS.shared()
        client = try store.client()
    }

    @Test func putGetHeadAndDeleteRoundTrip() throws {
        // A key with a space, a plus and non-ASCII letters: what is sent must be what is signed.
        let key = prefix + "dir/a b+c é.bin"
        let bytes = (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try client.put(bytes, key: key, contentType: "application/octet-stream")

        #expect(try client.get(key: key) == bytes)
        #expect(try client.head(key: key) == bytes.count)
        #expect(try client.get(key: key, range: 100..<250) == Array(bytes[100..<250]))
        #expect(try client.get(key: key, range: 2990..<3000) == Array(bytes[2990...]))

        try client.delete(key: key)
        #expect(try client.head(key: key) == nil)
        let missing = #expect(throws: S3Error.self) { try client.get(key: key) }
        #expect(missing?.code == "NoSuchKey")
        // Deleting what is not there succeeds, as S3 answers it.
        try client.delete(key: key)
    }

    @Test func emptyObjectAndLimit() throws {
        try client.put([], key: prefix + "empty")
        #expect(try client.get(key: prefix + "empty") == [])
        #expect(try client.head(key: prefix + "empty") == 0)

        try client.put([UInt8](repeating: 7, count: 5000), key: prefix + "five-thousand")
        #expect(throws: S3Error.tooLarge(limit: 4096)) { try client.get(key: prefix + "five-thousand", limit: 4096) }
    }

    @Test func listPagesThroughAPrefix() throws {
        let names = ["a", "b", "c/d", "e", "f"]
        for name in names { try client.put(Array(name.utf8), key: prefix + "list/" + name) }
        try client.put([1], key: prefix + "other")

        var keys: [String] = []
        var pages = 0
        var continuation: String?
        repeat {
            let page = try client.list(prefix: prefix + "list/", continuation: continuation, maxKeys: 2)
            #expect(page.objects.count <= 2)
            keys += page.objects.map(\.key)
            continuation = page.continuation
            pages += 1
        } while continuation != nil
        #expect(keys == names.map { prefix + "list/" + $0 })
        #expect(pages == 3)
        #expect(try client.list(prefix: prefix + "list/c").objects.map(\.size) == [3])
    }

    @Test func fileStreamsUpAndDown() throws {
        try withTemporaryDirectory { directory in
            let source = directory + "/source"
            let bytes = SecureRandom.bytes(300_000)
            try Data(bytes).write(to: URL(fileURLWithPath: source))
            // Content addressing: the key is the SHA-256 the upload is signed with.
            let sha = Hex.encode(SHA256.hash(bytes))
            try client.put(file: source, key: prefix + sha, sha256: sha)

            let target = directory + "/target"
            #expect(try client.download(key: prefix + sha, to: target) == bytes.count)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: target))) == bytes)
            // AWS refuses a body whose SHA-256 is not the signed one (XAmzContentSHA256Mismatch); SeaweedFS
            // 4.48 stores it anyway, so that check is not the store's to make here.
        }
    }

    @Test func largeFileGoesUpInParts() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/large"
            let size = 2 * S3Client.minimumPartSize + 12_345
            let bytes = SecureRandom.bytes(size)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let key = prefix + "large"
            try client.upload(file: path, key: key, partSize: S3Client.minimumPartSize)

            #expect(try client.head(key: key) == size)
            // A range across the first part's end reads as one.
            let boundary = S3Client.minimumPartSize
            #expect(try client.get(key: key, range: boundary - 10..<boundary + 10) == Array(bytes[boundary - 10..<boundary + 10]))
            let copy = directory + "/copy"
            #expect(try client.download(key: key, to: copy) == size)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy))) == bytes)
        }
    }

    @Test func abortedUploadCannotBeCompleted() throws {
        let key = prefix + "aborted"
        let id = try client.createMultipartUpload(key: key)
        let part = try client.uploadPart(key: key, uploadID: id, number: 1, bytes: [1, 2, 3])
        try client.abortMultipartUpload(key: key, uploadID: id)
        let error = #expect(throws: S3Error.self) { try client.completeMultipartUpload(key: key, uploadID: id, parts: [part]) }
        #expect(error?.code == "NoSuchUpload")
        #expect(try client.head(key: key) == nil)
    }

    @Test func partsUnderFiveMiBAreRefusedAsS3Does() throws {
        let key = prefix + "small-parts"
        let id = try client.createMultipartUpload(key: key)
        let parts = [try client.uploadPart(key: key, uploadID: id, number: 1, bytes: [UInt8](repeating: 1, count: 1000)),
                     try client.uploadPart(key: key, uploadID: id, number: 2, bytes: [2])]
        let error = #expect(throws: S3Error.self) { try client.completeMultipartUpload(key: key, uploadID: id, parts: parts) }
        #expect(error?.code == "EntityTooSmall")
        try client.abortMultipartUpload(key: key, uploadID: id)
        // `upload` refuses such a part size before sending anything.
        #expect(throws: S3Error.self) { try client.upload(file: "/dev/null", key: key, partSize: 1 << 20) }
    }

    @Test func presignedURLNeedsNoCredentials() async throws {
        let key = prefix + "shared file.txt"
        let bytes = Array("handed to the store".utf8)
        try client.put(bytes, key: key)

        let (body, response) = try await Self.fetch(client.presignedURL(key: key, expires: .seconds(300)))
        #expect(response.statusCode == 200)
        #expect([UInt8](body) == bytes)

        // Unsigned, altered, or past its time, the same object is refused.
        let unsigned = store.endpoint + "/" + SeaweedFS.bucket + "/" + SignatureV4.encodePath(key)
        #expect(try await Self.fetch(unsigned).1.statusCode == 403)
        let other = client.presignedURL(key: key, expires: .seconds(300)).replacingOccurrences(of: "shared", with: "sharex")
        #expect(try await Self.fetch(other).1.statusCode == 403)
        let expired = client.presignedURL(key: key, expires: .seconds(60), at: Date().addingTimeInterval(-3600))
        #expect(try await Self.fetch(expired).1.statusCode == 403)
    }

    @Test func wrongSecretIsSignatureDoesNotMatch() throws {
        let wrong = try store.client(secret: "not-the-secret")
        let error = #expect(throws: S3Error.self) { try wrong.verifyAccess() }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error.map { "\($0)" }?.contains("SignatureDoesNotMatch") == true)
        #expect(throws: S3Error.self) { try wrong.put([1], key: prefix + "refused") }
        #expect(try client.head(key: prefix + "refused") == nil)

        // A download refused leaves no file behind to pass for the object.
        try withTemporaryDirectory { directory in
            let error = #expect(throws: S3Error.self) { try wrong.download(key: prefix + "refused", to: directory + "/copy") }
            #expect(error?.code == "SignatureDoesNotMatch")
            #expect(!FileManager.default.fileExists(atPath: directory + "/copy"))
        }

        let unknown = try store.client(accessKeyID: "NOSUCHACCESSKEY")
        #expect((#expect(throws: S3Error.self) { try unknown.verifyAccess() })?.code == "InvalidAccessKeyId")
        try client.verifyAccess()
    }

    /// A GET with no credentials, through Foundation's client rather than ours.
    static func fetch(_ url: String) async throws -> (Data, HTTPURLResponse) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return (data, try #require(response as? HTTPURLResponse))
    }
}

/// What needs no store: S3's error bodies, the endpoint's checks, the time limits.
struct S3ClientOfflineTests {
    @Test func errorBodyGivesCodeAndMessage() {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>R1</RequestId></Error>
            """.utf8)
        #expect(S3Error.from(status: 404, body: body, requestID: nil)
            == .service(status: 404, code: "NoSuchKey", message: "The specified key does not exist.", requestID: "R1"))
    }

    @Test func otherBodiesKeepTheStatus() {
        #expect(S3Error.from(status: 403, body: [], requestID: "X").code == "Forbidden")
        #expect(S3Error.from(status: 502, body: Array("<html>bad gateway</html>".utf8), requestID: nil).code == "HTTP 502")
    }

    @Test func silentServerTimesOut() throws {
        // A socket that listens and never accepts: the kernel completes the handshake, then nothing answers.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(listening)
        let client = try S3Client(.init(endpoint: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))", bucket: "b", region: "r",
                                        accessKeyID: "k", secretAccessKey: "s",
                                        timeouts: .init(connect: .seconds(1), request: .milliseconds(300), stall: .seconds(1))))
        let started = ContinuousClock.now
        #expect(throws: S3Error.timedOut(operation: "GET k")) { try client.get(key: "k") }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func endpointMustBeAPlainHTTPURL() throws {
        func make(_ endpoint: String) throws -> S3Client {
            try S3Client(.init(endpoint: endpoint, bucket: "b", region: "r", accessKeyID: "k", secretAccessKey: "s"))
        }
        #expect(throws: S3Error.self) { try make("ftp://host") }
        #expect(throws: S3Error.self) { try make("http://user:pw@host") }
        #expect(throws: S3Error.self) { try make("http://host/?x=1") }
        let client = try make("https://store.example:9000/s3/")
        #expect(client.host == "store.example:9000")
        #expect(client.objectPath("k/v") == "/s3/b/k/v")
        #expect(client.presignedURL(key: "k", expires: .seconds(60)).hasPrefix("https://store.example:9000/s3/b/k?"))
    }
}

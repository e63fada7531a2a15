import Foundation
import HTTP
import Testing

/// A fresh directory for spool files, removed when the test is done with it.
struct SpoolDirectory: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-multipart-\(UUID())").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var files: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }
}

struct MultipartFormTests {
    private func request(_ body: RequestBody, contentType: String? = "multipart/form-data; boundary=XyZ") -> Request {
        var headers = HTTPFields()
        if let contentType { headers.append("Content-Type", contentType) }
        let head = RequestHead(method: .post, target: "/upload", version: .http1_1, headers: headers,
                               keepAlive: true, expectsContinue: false)
        return Request(head: head, body: body, requestID: "test", remoteAddress: "127.0.0.1")
    }

    private func part(_ disposition: String, _ content: [UInt8], contentType: String? = nil) -> [UInt8] {
        var head = "--XyZ\r\nContent-Disposition: form-data; \(disposition)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        return bytes(head + "\r\n") + content + bytes("\r\n")
    }

    private let closing = bytes("--XyZ--\r\n")

    private func limits(memoryThreshold: Int = 256 * 1024, maxParts: Int = 100) -> Limits {
        var limits = Limits()
        limits.multipartMemoryThreshold = memoryThreshold
        limits.maxMultipartParts = maxParts
        return limits
    }

    @Test func textFieldsAndASmallFileStayInMemoryWithTheirMetadata() throws {
        let spool = try SpoolDirectory()
        let body = part("name=\"title\"", bytes("Cats")) + part("name=\"tags\"", bytes("a,b"))
            + part("name=\"photo\"; filename=\"cat.png\"", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A],
                   contentType: "image/png")
            + closing
        let parts = try MultipartForm.parse(request(.bytes(body)), limits: limits(), spoolDirectory: spool.path,
                                            maxPartBytes: 1 << 20)
        #expect(parts.map(\.name) == ["title", "tags", "photo"])
        #expect(parts.map(\.filename) == [nil, nil, "cat.png"])
        #expect(parts.map(\.contentType) == [nil, nil, "image/png"])
        #expect(parts.map(\.size) == [4, 3, 6])
        guard case .bytes(let photo) = parts[2].content else {
            Issue.record("a small file part should stay in memory")
            return
        }
        #expect(photo == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A])
        #expect(spool.files.isEmpty)
    }

    @Test func aLargePartIsSpooledWithItsExactBytesEvenFromASpooledBody() throws {
        let spool = try SpoolDirectory()
        // Every byte value, and delimiter prefixes at shifting offsets, some across 64 KiB reads.
        var large: [UInt8] = []
        while large.count < 3 << 20 {
            large += (0..<4093).map { UInt8(truncatingIfNeeded: $0 &* 31) } + bytes("\r\n--Xy")
        }
        let body = part("name=\"note\"", bytes("hello")) + part("name=\"big\"; filename=\"big.bin\"", large) + closing
        let bodyPath = spool.path + "/request-body"
        try Data(body).write(to: URL(fileURLWithPath: bodyPath))

        for requestBody in [RequestBody.bytes(body), .file(SpooledFile(path: bodyPath, size: body.count))] {
            let parts = try MultipartForm.parse(request(requestBody), limits: limits(memoryThreshold: 1024),
                                                spoolDirectory: spool.path, maxPartBytes: 4 << 20)
            #expect(parts.map(\.name) == ["note", "big"])
            guard case .file(let file) = parts[1].content else {
                Issue.record("a part over the threshold should be spooled")
                return
            }
            #expect(file.size == large.count && parts[1].size == large.count)
            #expect(file.path.hasPrefix(spool.path + "/multipart-"))
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path))) == large)
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            try FileManager.default.removeItem(atPath: file.path)
        }
        #expect(spool.files == ["request-body"])
    }

    @Test func aFilenameWithPathSegmentsIsKeptAsMetadataAndNeverUsedForTheSpoolFile() throws {
        let spool = try SpoolDirectory()
        let body = part("name=\"f\"; filename=\"../../etc/passwd\"", [UInt8](repeating: 1, count: 100)) + closing
        let parts = try MultipartForm.parse(request(.bytes(body)), limits: limits(memoryThreshold: 10),
                                            spoolDirectory: spool.path, maxPartBytes: 1000)
        #expect(parts.first?.filename == "../../etc/passwd")
        guard case .file(let file) = parts.first?.content else {
            Issue.record("expected a spooled part")
            return
        }
        #expect(!file.path.contains("..") && !file.path.contains("passwd"))
        #expect(spool.files.count == 1)
    }

    @Test func tooManyPartsFailsAndRemovesTheFilesAlreadyWritten() throws {
        let spool = try SpoolDirectory()
        let filePart = part("name=\"f\"; filename=\"a\"", [UInt8](repeating: 7, count: 5000))
        let body = filePart + filePart + part("name=\"third\"", bytes("x")) + closing
        #expect(throws: MultipartError.tooManyParts(limit: 2)) {
            try MultipartForm.parse(request(.bytes(body)), limits: limits(memoryThreshold: 100, maxParts: 2),
                                    spoolDirectory: spool.path, maxPartBytes: 1 << 20)
        }
        #expect(spool.files.isEmpty)
    }

    @Test func aPartOverMaxPartBytesFailsAndRemovesItsHalfWrittenFile() throws {
        let spool = try SpoolDirectory()
        let body = part("name=\"ok\"; filename=\"a\"", [UInt8](repeating: 1, count: 3000))
            + part("name=\"big\"; filename=\"b\"", [UInt8](repeating: 2, count: 200_000)) + closing
        #expect(throws: MultipartError.partTooLarge(limit: 100_000)) {
            try MultipartForm.parse(request(.bytes(body)), limits: limits(memoryThreshold: 1000),
                                    spoolDirectory: spool.path, maxPartBytes: 100_000)
        }
        #expect(spool.files.isEmpty)
        #expect(throws: MultipartError.partTooLarge(limit: 10)) {
            try MultipartForm.parse(request(.bytes(part("name=\"a\"", bytes("eleven byte")) + closing)),
                                    limits: limits(), spoolDirectory: spool.path, maxPartBytes: 10)
        }
    }

    @Test func aTruncatedBodyFailsAndRemovesItsFiles() throws {
        let spool = try SpoolDirectory()
        let body = part("name=\"f\"; filename=\"a\"", [UInt8](repeating: 1, count: 5000)) + bytes("--XyZ\r\n")
        #expect(throws: MultipartError.malformed("the body ends before its closing boundary delimiter")) {
            try MultipartForm.parse(request(.bytes(body)), limits: limits(memoryThreshold: 100),
                                    spoolDirectory: spool.path, maxPartBytes: 1 << 20)
        }
        #expect(spool.files.isEmpty)
    }

    @Test func theContentTypeMustBeFormDataWithABoundary() throws {
        let spool = try SpoolDirectory()
        let body = RequestBody.bytes(part("name=\"a\"", bytes("1")) + closing)
        let cases: [(String?, MultipartError)] = [
            (nil, .notMultipart),
            ("application/json", .notMultipart),
            ("multipart/mixed; boundary=XyZ", .notMultipart),
            ("multipart/form-data", .missingBoundary),
            ("multipart/form-data; boundary=\"\"", .missingBoundary),
        ]
        for (contentType, error) in cases {
            #expect(throws: error, "Content-Type \(contentType ?? "absent")") {
                try MultipartForm.parse(request(body, contentType: contentType), limits: limits(),
                                        spoolDirectory: spool.path, maxPartBytes: 100)
            }
        }
    }

    @Test func aPartWithoutAFormDataNameIsMalformed() throws {
        let spool = try SpoolDirectory()
        let headers = ["Content-Disposition: form-data; filename=\"a\"",
                       "Content-Disposition: attachment; name=\"a\"",
                       "Content-Type: text/plain"]
        for disposition in headers {
            let body = bytes("--XyZ\r\n\(disposition)\r\n\r\nx\r\n--XyZ--")
            #expect(throws: MultipartError.malformed("a part lacks 'Content-Disposition: form-data' with a name")) {
                try MultipartForm.parse(request(.bytes(body)), limits: limits(), spoolDirectory: spool.path,
                                        maxPartBytes: 100)
            }
        }
    }

    @Test func errorsMapToClientStatuses() {
        #expect(MultipartError.notMultipart.status == .unsupportedMediaType)
        #expect(MultipartError.missingBoundary.status == .badRequest)
        #expect(MultipartError.malformed("x").status == .badRequest)
        #expect(MultipartError.tooManyParts(limit: 1).status == .contentTooLarge)
        #expect(MultipartError.partTooLarge(limit: 1).status == .contentTooLarge)
        #expect(MultipartError.headerTooLarge.status == .contentTooLarge)
        #expect(MultipartError.partTooLarge(limit: 5).reason.contains("5"))
    }
}

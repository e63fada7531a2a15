@testable import HTTP
import Testing

/// The caller-owned bounds on a head: its size, its request line and its field count. A head at
/// each bound is accepted and one byte or field past it is refused, before the end has arrived
/// when the bytes at hand already prove it too large.
struct HeadLimitTests {
    /// 32 bytes of request line, then one field line that a test pads to any length.
    static func head(totalBytes: Int) -> String {
        let start = "GET /abcdefghijklmnop HTTP/1.1\r\nHost: a\r\nX: "
        let padding = totalBytes - start.utf8.count - "\r\n\r\n".utf8.count
        return start + String(repeating: "v", count: padding) + "\r\n\r\n"
    }

    @Test func aHeadOfExactlyMaxHeadBytesIsAccepted() {
        let raw = Self.head(totalBytes: 100)
        #expect(raw.utf8.count == 100)
        expectHead(raw, limits: HeadLimits(maxHeadBytes: 100))
    }

    @Test func aHeadOneByteOverIsRefusedWith431() {
        expectRejection(Array(Self.head(totalBytes: 101).utf8), .headTooLarge, limits: HeadLimits(maxHeadBytes: 100))
        #expect(ParseError.headTooLarge.status.code == 431)
    }

    @Test func anOversizedHeadIsRefusedBeforeItsEndArrives() {
        let partial = Array(("GET / HTTP/1.1\r\nHost: a\r\nX-Padding: " + String(repeating: "v", count: 200)).utf8)
        var parser = RequestHeadParser(maxHeadBytes: 64, maxHeaderCount: 100)
        #expect(parseHead(&parser, partial[..<64]) == .incomplete)
        #expect(parseHead(&parser, partial[..<65]) == .failed(.headTooLarge))
    }

    @Test func leadingEmptyLinesDoNotCountTowardsTheHead() {
        expectHead("\r\n\r\n" + Self.head(totalBytes: 100), limits: HeadLimits(maxHeadBytes: 100))
    }

    @Test func aRequestLineThatDoesNotFitIsRefusedWith414() {
        let raw = Array(("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\nHost: a\r\n\r\n").utf8)
        expectRejection(raw, .requestLineTooLong, limits: HeadLimits(maxHeadBytes: 64))
        var parser = RequestHeadParser(maxHeadBytes: 64, maxHeaderCount: 100)
        #expect(parseHead(&parser, raw[..<65]) == .failed(.requestLineTooLong))
        #expect(ParseError.requestLineTooLong.status.code == 414)
    }

    @Test func maxHeaderCountFieldsAreAccepted() {
        let fields = (1...4).map { "X-\($0): v\r\n" }.joined()
        #expect(expectHead("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n", limits: HeadLimits(maxHeaderCount: 5))?
            .headers.count == 5)
    }

    @Test func oneFieldOverMaxHeaderCountIsRefusedWith431() {
        let fields = (1...5).map { "X-\($0): v\r\n" }.joined()
        expectRejection(Array(("GET / HTTP/1.1\r\nHost: a\r\n" + fields + "\r\n").utf8), .tooManyHeaders,
                        limits: HeadLimits(maxHeaderCount: 5))
        #expect(ParseError.tooManyHeaders.status.code == 431)
    }

    @Test func aPipelinedRequestBeyondTheLimitDoesNotCountTowardsThisHead() {
        // The first head fits; the bytes after it are the next request's and must not trip 431.
        let first = Self.head(totalBytes: 100)
        let stream = Array((first + first + first).utf8)
        var parser = RequestHeadParser(maxHeadBytes: 100, maxHeaderCount: 100)
        guard case .complete(_, let consumed) = parseHead(&parser, stream[...]) else {
            Issue.record("first head not parsed")
            return
        }
        #expect(consumed == 100)
    }
}

struct ParseErrorTests {
    @Test func everyErrorMapsToTheStatusItsRuleNames() {
        let expected: [(ParseError, Int)] = [
            (.headTooLarge, 431), (.tooManyHeaders, 431), (.requestLineTooLong, 414), (.unsupportedVersion, 505),
            (.unsupportedTransferCoding, 501), (.unsupportedExpectation, 417), (.bareLF, 400),
            (.contentLengthWithTransferEncoding, 400), (.chunkSizeOverflow, 400), (.trailerTooLarge, 400),
        ]
        for (error, code) in expected {
            #expect(error.status.code == code, "\(error)")
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func tcharMaskMatchesTheRFC9110TokenSet() {
        let tchars = Set("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
        for byte in UInt8.min...UInt8.max {
            #expect(ByteClass.isTchar(byte) == tchars.contains(byte), "byte \(byte)")
        }
    }
}

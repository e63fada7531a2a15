@testable import HTTP
import Testing

/// Runs `body` over a copy of `bytes` in an allocation of exactly that size, so a parser reading
/// one byte past what it was given trips AddressSanitizer (picohttpparser tests use a guard page).
func withExactBuffer<R>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: bytes)
    return body(UnsafeRawBufferPointer(buffer))
}

/// What a parsed head says, as one Equatable value, so the three feeding strategies can be compared.
struct ParsedHead: Equatable {
    var method: String
    var target: String
    var path: String
    var query: String
    var version: RequestHead.Version
    var headers: [HTTPFields.Field]
    var keepAlive: Bool
    var expectsContinue: Bool
    var framing: BodyFraming

    init(_ head: RequestHead, _ framing: BodyFraming) {
        method = head.method.rawValue
        target = head.target
        path = head.path
        query = head.query
        version = head.version
        headers = Array(head.headers)
        keepAlive = head.keepAlive
        expectsContinue = head.expectsContinue
        self.framing = framing
    }

    /// The fields as (name, value) pairs, names as sent.
    var fields: [[String]] { headers.map { [$0.name, $0.value] } }
}

struct HeadLimits {
    var maxHeadBytes = 16 * 1024
    var maxHeaderCount = 100
}

enum HeadOutcome: Equatable {
    case incomplete
    case complete(ParsedHead, consumed: Int)
    case failed(ParseError)
}

func parseHead(_ parser: inout RequestHeadParser, _ bytes: ArraySlice<UInt8>) -> HeadOutcome {
    withExactBuffer(bytes) { buffer in
        do throws(ParseError) {
            switch try parser.parse(buffer) {
            case .incomplete: return .incomplete
            case .complete(let head, let framing, let consumed):
                return .complete(ParsedHead(head, framing), consumed: consumed)
            }
        } catch {
            return .failed(error)
        }
    }
}

/// Parses `raw` three ways and expects the same head from each: whole; drip-fed with the buffer
/// growing one byte per call (`.incomplete` until the last byte); and pipelined, followed by
/// `body` and a second copy of itself, where `consumed` must point at the body and the second
/// copy must parse too. Returns the head for the caller's own expectations.
@discardableResult
func expectHead(
    _ raw: String, body: String = "", limits: HeadLimits = HeadLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParsedHead? {
    expectHead(bytes: Array(raw.utf8), body: Array(body.utf8), limits: limits, sourceLocation: sourceLocation)
}

@discardableResult
func expectHead(
    bytes: [UInt8], body: [UInt8] = [], limits: HeadLimits = HeadLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParsedHead? {
    let makeParser = { RequestHeadParser(maxHeadBytes: limits.maxHeadBytes, maxHeaderCount: limits.maxHeaderCount) }

    var whole = makeParser()
    guard case .complete(let head, let consumed) = parseHead(&whole, bytes[...]) else {
        Issue.record("whole: \(parseHead(&whole, bytes[...]))", sourceLocation: sourceLocation)
        return nil
    }
    #expect(consumed == bytes.count, "whole: consumed", sourceLocation: sourceLocation)

    var drip = makeParser()
    for length in 1..<bytes.count {
        let outcome = parseHead(&drip, bytes[..<length])
        guard outcome == .incomplete else {
            Issue.record("drip at \(length) bytes: \(outcome)", sourceLocation: sourceLocation)
            return nil
        }
    }
    #expect(parseHead(&drip, bytes[...]) == .complete(head, consumed: bytes.count), "drip",
            sourceLocation: sourceLocation)

    let stream = bytes + body + bytes
    var pipelined = makeParser()
    #expect(parseHead(&pipelined, stream[...]) == .complete(head, consumed: bytes.count),
            "pipelined first", sourceLocation: sourceLocation)
    #expect(parseHead(&pipelined, stream[(bytes.count + body.count)...]) == .complete(head, consumed: bytes.count),
            "pipelined second", sourceLocation: sourceLocation)
    return head
}

/// Expects `raw` to be refused with `error` both whole and drip-fed, and never accepted on the way.
func expectRejection(
    _ raw: [UInt8], _ error: ParseError, limits: HeadLimits = HeadLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let makeParser = { RequestHeadParser(maxHeadBytes: limits.maxHeadBytes, maxHeaderCount: limits.maxHeaderCount) }
    var whole = makeParser()
    #expect(parseHead(&whole, raw[...]) == .failed(error), "whole", sourceLocation: sourceLocation)

    var drip = makeParser()
    for length in 1...raw.count {
        switch parseHead(&drip, raw[..<length]) {
        case .incomplete:
            continue
        case .failed(let dripError):
            #expect(dripError == error, "drip at \(length) bytes", sourceLocation: sourceLocation)
        case .complete:
            Issue.record("drip accepted at \(length) bytes", sourceLocation: sourceLocation)
        }
        return
    }
    Issue.record("drip never failed", sourceLocation: sourceLocation)
}

/// One row of a rejection table: a name for the test report, the raw head, the rule it breaks.
struct Rejection: Sendable, CustomTestStringConvertible {
    var name: String
    var raw: [UInt8]
    var error: ParseError

    init(_ name: String, _ raw: String, _ error: ParseError) {
        self.init(name, bytes: Array(raw.utf8), error)
    }

    init(_ name: String, bytes: [UInt8], _ error: ParseError) {
        self.name = name
        self.raw = bytes
        self.error = error
    }

    var testDescription: String { name }
}

/// The header fields the parser itself acts on: Host, Content-Length, Transfer-Encoding,
/// Connection and Expect. Each is read straight from the head's bytes as the fields go by, and
/// `resolve` decides framing and connection reuse once all are seen, because several rules
/// (RFC 9112 §6.3) depend on combinations of fields rather than on any one of them.
struct ControlFields {
    private var hostCount = 0
    private var contentLength: Int?
    private var transferCodings: TransferCodings?
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectsContinue = false
    private var unsupportedExpectation = false

    struct Resolved {
        var framing: BodyFraming
        var keepAlive: Bool
        var expectsContinue: Bool
    }

    mutating func note(
        _ field: KnownFieldName.Control, value: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) throws(ParseError) {
        switch field {
        case .host:
            hostCount += 1
        case .expect:
            if bytes.equalsIgnoringCase(value, "100-continue") {
                expectsContinue = true
            } else {
                unsupportedExpectation = true
            }
        case .connection:
            for option in ListElements(bytes, value) {
                if bytes.equalsIgnoringCase(option, "close") { connectionClose = true }
                if bytes.equalsIgnoringCase(option, "keep-alive") { connectionKeepAlive = true }
            }
        case .contentLength:
            try noteContentLength(value, in: bytes)
        case .transferEncoding:
            var codings = transferCodings ?? TransferCodings()
            codings.note(value, in: bytes)
            transferCodings = codings
        }
    }

    /// Content-Length = 1*DIGIT (RFC 9110 §8.6). A list or repeated field is accepted only when
    /// every member is the same number, since two different lengths are the classic smuggling split.
    private mutating func noteContentLength(_ value: Range<Int>, in bytes: UnsafeRawBufferPointer) throws(ParseError) {
        for member in ListElements(bytes, value) {
            // 18 digits cannot overflow Int, and no real body comes near 10^18 bytes.
            guard (1...18).contains(member.count) else { throw .invalidContentLength }
            var length = 0
            for index in member {
                let byte = bytes[index]
                guard ByteClass.isDigit(byte) else { throw .invalidContentLength }
                length = length * 10 + Int(byte &- UInt8(ascii: "0"))
            }
            if let earlier = contentLength, earlier != length { throw .conflictingContentLength }
            contentLength = length
        }
    }

    func resolve(version: RequestHead.Version) throws(ParseError) -> Resolved {
        // RFC 9112 §3.2: a 1.1 request lacking Host, or any request with two, gets 400.
        if version == .http1_1 && hostCount == 0 { throw .missingHost }
        if hostCount > 1 { throw .multipleHosts }

        var framing = BodyFraming.none
        if let codings = transferCodings {
            // RFC 9112 §6.1: a sender must not send both; a server that accepted one while an
            // upstream honoured the other would read a different body, so refuse outright.
            if contentLength != nil { throw .contentLengthWithTransferEncoding }
            // RFC 9112 §6.1: an HTTP/1.0 peer may not understand chunked; its framing is faulty.
            if version == .http1_0 { throw .transferEncodingOnHTTP10 }
            framing = try codings.framing()
        } else if let length = contentLength {
            framing = .length(length)
        }

        if unsupportedExpectation { throw .unsupportedExpectation }

        let keepAlive = switch version {
        case .http1_1: !connectionClose
        case .http1_0: connectionKeepAlive && !connectionClose
        }
        // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request must be ignored.
        return Resolved(framing: framing, keepAlive: keepAlive, expectsContinue: expectsContinue && version == .http1_1)
    }
}

/// The transfer codings of all Transfer-Encoding fields, joined in order (RFC 9112 §6.1).
/// Quarry decodes only `chunked`, and only alone: anything else is a coding it cannot undo.
private struct TransferCodings {
    private var sawChunked = false
    private var sawOtherCoding = false
    /// Not a token list, chunked twice, or chunked not last: the body length cannot be known.
    private var malformed = false

    mutating func note(_ value: Range<Int>, in bytes: UnsafeRawBufferPointer) {
        for coding in ListElements(bytes, value) where !coding.isEmpty {
            if !coding.allSatisfy({ ByteClass.isTchar(bytes[$0]) }) {
                malformed = true
            } else if bytes.equalsIgnoringCase(coding, "chunked") {
                if sawChunked { malformed = true }
                sawChunked = true
            } else {
                if sawChunked { malformed = true }
                sawOtherCoding = true
            }
        }
    }

    func framing() throws(ParseError) -> BodyFraming {
        if malformed || !(sawChunked || sawOtherCoding) { throw .invalidTransferEncoding }
        // RFC 9112 §6.1: a coding the server does not understand gets 501.
        if sawOtherCoding { throw .unsupportedTransferCoding }
        return .chunked
    }
}

/// The members of a comma-separated field value with OWS trimmed around each (RFC 9110 §5.6.1).
/// Empty members are yielded too: list rules ignore them, Content-Length refuses them.
struct ListElements: Sequence, IteratorProtocol {
    private let bytes: UnsafeRawBufferPointer
    private var position: Int
    private let end: Int
    private var finished = false

    init(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) {
        self.bytes = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    mutating func next() -> Range<Int>? {
        guard !finished else { return nil }
        var memberEnd = position
        while memberEnd < end && bytes[memberEnd] != ByteClass.comma { memberEnd += 1 }
        var lower = position
        var upper = memberEnd
        while lower < upper && ByteClass.isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower && ByteClass.isWhitespace(bytes[upper - 1]) { upper -= 1 }
        if memberEnd == end { finished = true } else { position = memberEnd + 1 }
        return lower..<upper
    }
}

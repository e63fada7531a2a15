import Glibc

/// An incremental, strict parser for a request line and its header fields (RFC 9112 §2-§6).
///
/// The caller owns the buffer and passes everything received so far for the current request on
/// every call. The parser only remembers how far it has looked for the empty line that ends the
/// head (picohttpparser's `last_len`), so a client dripping one byte per packet costs O(n) in all.
/// Once the end is found, one pass over the head validates every byte and builds the Strings.
/// There is no lenient mode: anything RFC 9112 lets a server reject is rejected, because a
/// permissive parser behind a stricter or looser proxy is how request smuggling starts.
public struct RequestHeadParser: Sendable {
    public enum Result: Sendable {
        case incomplete
        /// `consumed` counts the bytes of the head, from the buffer's first byte through the
        /// empty line; the body (or the next pipelined request) starts there.
        case complete(RequestHead, BodyFraming, consumed: Int)
    }

    /// RFC 9112 §2.2 asks servers to skip at least one empty line before a request line, which
    /// some clients send after a POST body; a handful is tolerance, more is a client misbehaving.
    static let maxLeadingEmptyLines = 4

    private let maxHeadBytes: Int
    private let maxHeaderCount: Int
    /// Where the request line starts, once any leading empty lines have been skipped.
    private var requestLineStart: Int?
    /// Where the line whose LF has not been seen yet starts.
    private var lineStart = 0
    /// Bytes before this offset were already searched for LF on an earlier call.
    private var scanned = 0
    /// Lines of the head ended so far: the request line, then one per field line.
    private var linesEnded = 0

    /// `maxHeadBytes` bounds the request line plus fields through the final CRLF CRLF, not
    /// counting skipped leading empty lines; `maxHeaderCount` bounds the number of field lines.
    public init(maxHeadBytes: Int, maxHeaderCount: Int) {
        precondition(maxHeadBytes > 0, "maxHeadBytes must be positive")
        precondition(maxHeaderCount >= 0, "maxHeaderCount must not be negative")
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
    }

    /// Forgets a partly scanned head. `parse` does this itself after `.complete`, so a caller
    /// needs it only to start over on the same connection without finishing a head.
    public mutating func reset() {
        requestLineStart = nil
        lineStart = 0
        scanned = 0
        linesEnded = 0
    }

    /// `buffer` holds the bytes received so far for this request, starting at its first byte.
    /// Call again with more bytes appended after `.incomplete`; after `.complete` the parser is
    /// reset and the next call parses a new request from its own first byte. Throws as soon as
    /// the bytes at hand break a rule, including a head that has outgrown `maxHeadBytes` before
    /// its end arrived.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) throws(ParseError) -> Result {
        guard let end = try findEnd(of: buffer), let start = requestLineStart else { return .incomplete }
        let parsed = try makeHead(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
        reset()
        return .complete(parsed.head, parsed.framing, consumed: end)
    }

    /// The offset just past the head's empty line, or nil if it has not arrived yet. Every LF is
    /// checked for its CR here, so a client using bare LF line ends is refused at its first line
    /// rather than left waiting for a CRLF CRLF it will never send.
    private mutating func findEnd(of buffer: UnsafeRawBufferPointer) throws(ParseError) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        if requestLineStart == nil {
            guard let start = try skipLeadingEmptyLines(buffer) else { return nil }
            requestLineStart = start
            lineStart = start
            scanned = start
        }
        guard let start = requestLineStart else { return nil }
        // Only the first maxHeadBytes after the request line's start can hold a valid head's end,
        // which also keeps the search out of pipelined requests behind this one.
        let window = min(buffer.count, start + maxHeadBytes)
        while scanned < window {
            guard let found = memchr(base + scanned, Int32(ByteClass.lf), window - scanned) else {
                scanned = window
                break
            }
            let lf = UnsafeRawPointer(found) - base
            // lf > start always: the byte at `start` is neither CR nor LF.
            guard buffer[lf - 1] == ByteClass.cr else { throw .bareLF }
            scanned = lf + 1
            // An empty line: only CR before this LF. Never the request line, which starts with a non-CR.
            if lf - 1 == lineStart { return lf + 1 }
            lineStart = lf + 1
            linesEnded += 1
        }
        if buffer.count - start > maxHeadBytes {
            throw lineStart == start ? .requestLineTooLong : .headTooLarge
        }
        return nil
    }

    /// The offset of the request line's first byte, or nil while the buffer holds only empty lines.
    private func skipLeadingEmptyLines(_ buffer: UnsafeRawBufferPointer) throws(ParseError) -> Int? {
        var position = 0
        var emptyLines = 0
        while position < buffer.count {
            switch buffer[position] {
            case ByteClass.cr:
                guard position + 1 < buffer.count else { return nil }
                guard buffer[position + 1] == ByteClass.lf else { throw .bareCR }
                emptyLines += 1
                guard emptyLines <= Self.maxLeadingEmptyLines else { throw .tooManyLeadingEmptyLines }
                position += 2
            case ByteClass.lf:
                throw .bareLF
            default:
                return position
            }
        }
        return nil
    }

    /// Validates the complete head in `bytes` and builds the values handlers see.
    private func makeHead(
        _ bytes: UnsafeRawBufferPointer
    ) throws(ParseError) -> (head: RequestHead, framing: BodyFraming) {
        var reader = HeadReader(bytes)
        let line = try reader.readRequestLine()
        var fields: [HTTPFields.Field] = []
        // The scan counted the lines, so the array is allocated once at its final size.
        fields.reserveCapacity(min(linesEnded - 1, maxHeaderCount))
        var controls = ControlFields()
        while let field = try reader.readField() {
            guard fields.count < maxHeaderCount else { throw .tooManyHeaders }
            let known = KnownFieldName.lookUp(field.name, in: bytes)
            if let control = known?.control { try controls.note(control, value: field.value, in: bytes) }
            let value = bytes.string(field.value)
            if let known {
                fields.append(HTTPFields.Field(name: known.name(field.name, in: bytes), value: value,
                                               canonicalName: known.canonical))
            } else {
                let name = bytes.string(field.name)
                fields.append(HTTPFields.Field(name: name, value: value,
                                               canonicalName: bytes.canonicalFieldName(field.name, name: name)))
            }
        }
        let resolved = try controls.resolve(version: line.version)
        let head = RequestHead(method: bytes.method(line.method), target: line.target, in: bytes, version: line.version,
                               headers: HTTPFields(fields: fields),
                               keepAlive: resolved.keepAlive, expectsContinue: resolved.expectsContinue)
        return (head, resolved.framing)
    }
}

import Glibc

/// A push parser for multipart/form-data bodies (RFC 7578, with the framing of RFC 2046 §5.1).
///
/// Feed it the body in pieces of any size; it reports each part's header fields, its content in
/// pieces, and its end. It never holds a part's content: between calls it keeps at most a partial
/// delimiter (under 80 bytes) or a partial header block (at most `maxPartHeaderBytes`). The
/// preamble before the first delimiter and the epilogue after the closing one are ignored.
///
/// Strictness: header lines must end in CRLF and may not be folded; a delimiter must be followed
/// by `--`, or by optional spaces and CRLF (RFC 2046 transport padding). A boundary-like string
/// that does not start a line is content; one that does but is followed by anything else makes
/// the body malformed, since RFC 2046 forbids the boundary inside a part. After `feed` or
/// `finish` throws, the parser must not be used again.
public struct MultipartParser {
    public enum Event {
        case partBegin(HTTPFields)
        /// A piece of the current part's content, valid only during the callback.
        case partData(UnsafeRawBufferPointer)
        case partEnd
    }

    private enum State {
        /// Before the first delimiter: bytes are skipped.
        case preamble
        /// Right after `--boundary`: `--` closes the body; anything else begins a part.
        case afterDelimiter
        /// Transport padding, then the CRLF that ends the delimiter line.
        case padding
        case headers
        case content
        /// After the closing delimiter: bytes are skipped.
        case epilogue
    }

    /// How much input the slow path copies at a time when a delimiter or header line straddles
    /// two `feed` calls: enough to settle a delimiter, small enough not to copy content around.
    private static let window = 512

    /// `CRLF--boundary`: the CRLF belongs to the delimiter, not to the preceding content.
    private let delimiter: [UInt8]
    private let maxPartHeaderBytes: Int
    private var state = State.preamble
    /// Bytes fed but not yet settled. It starts as CRLF so that a delimiter on the body's very first
    /// line is found like every other one.
    private var carry: [UInt8] = [0x0D, 0x0A]
    private var headerBytes = 0
    private var headers = HTTPFields()

    /// `boundary` is the value `boundary(contentType:)` returned.
    public init(boundary: String, maxPartHeaderBytes: Int = 8192) {
        precondition(!boundary.isEmpty, "A multipart boundary cannot be empty")
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxPartHeaderBytes = maxPartHeaderBytes
    }

    public mutating func feed(_ input: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws {
        var input = input[...]
        // Slow path: settle the carried bytes together with just enough of the new input.
        while !carry.isEmpty, !input.isEmpty {
            let carried = carry.count
            let taken = min(input.count, Self.window)
            var pending: [UInt8] = []
            swap(&pending, &carry)
            pending.append(contentsOf: input.prefix(taken))
            let consumed = try pending.withUnsafeBytes { try process($0, handle) }
            if consumed >= carried {
                // Every carried byte is settled: go on from the input itself, without copying.
                input = input.dropFirst(consumed - carried)
            } else {
                pending.removeFirst(consumed)
                swap(&pending, &carry)
                input = input.dropFirst(taken)
            }
        }
        guard !input.isEmpty else { return }
        let buffer = UnsafeRawBufferPointer(rebasing: input)
        let consumed = try process(buffer, handle)
        carry.append(contentsOf: buffer[consumed...])
    }

    /// Call at the end of the body: throws `.malformed` unless the closing delimiter was seen.
    public func finish() throws {
        guard case .epilogue = state else {
            throw MultipartError.malformed("the body ends before its closing boundary delimiter")
        }
    }

    /// Reports events for a prefix of `buffer` and returns its length. The rest cannot be settled
    /// without more input; `process` leaves no trace of it, so it can be offered again later.
    private mutating func process(_ buffer: UnsafeRawBufferPointer, _ handle: (Event) throws -> Void) throws -> Int {
        var index = 0
        while true {
            switch state {
            case .preamble, .content:
                let found = findDelimiter(in: buffer, from: index)
                let contentEnd = found?.start ?? buffer.count
                if case .content = state, contentEnd > index {
                    try handle(.partData(UnsafeRawBufferPointer(rebasing: buffer[index..<contentEnd])))
                }
                guard let found, found.complete else { return contentEnd }
                if case .content = state { try handle(.partEnd) }
                index = found.start + delimiter.count
                headerBytes = 0
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.count - index >= 2 else { return index }
                if buffer[index] == UInt8(ascii: "-") && buffer[index + 1] == UInt8(ascii: "-") {
                    index += 2
                    state = .epilogue
                } else {
                    state = .padding
                }
            case .padding:
                while index < buffer.count, buffer[index] == UInt8(ascii: " ") || buffer[index] == UInt8(ascii: "\t") {
                    index += 1
                    headerBytes += 1
                }
                guard headerBytes <= maxPartHeaderBytes else { throw MultipartError.headerTooLarge }
                guard buffer.count - index >= 2 else { return index }
                guard buffer[index] == 0x0D, buffer[index + 1] == 0x0A else {
                    throw MultipartError.malformed("a boundary delimiter is followed by unexpected bytes")
                }
                index += 2
                headers = HTTPFields()
                state = .headers
            case .headers:
                guard let lineEnd = findCRLF(in: buffer, from: index) else {
                    guard headerBytes + buffer.count - index <= maxPartHeaderBytes else {
                        throw MultipartError.headerTooLarge
                    }
                    return index
                }
                headerBytes += lineEnd - index + 2
                guard headerBytes <= maxPartHeaderBytes else { throw MultipartError.headerTooLarge }
                if lineEnd == index {
                    try handle(.partBegin(headers))
                    state = .content
                } else {
                    try parseHeaderLine(UnsafeRawBufferPointer(rebasing: buffer[index..<lineEnd]))
                }
                index = lineEnd + 2
            case .epilogue:
                return buffer.count
            }
        }
    }

    /// Where the delimiter starts at or after `from`, and whether all of it is in `buffer` (when not,
    /// it is a prefix running to the buffer's end). Scans with memchr for the CR that starts it.
    private func findDelimiter(in buffer: UnsafeRawBufferPointer, from: Int) -> (start: Int, complete: Bool)? {
        guard let base = buffer.baseAddress else { return nil }
        var index = from
        while index < buffer.count, let cr = memchr(base + index, 0x0D, buffer.count - index) {
            let start = base.distance(to: UnsafeRawPointer(cr))
            let available = min(delimiter.count, buffer.count - start)
            // The delimiter is never empty (it starts with CRLF), so it has a base address.
            if delimiter.withUnsafeBytes({ memcmp(base + start, $0.baseAddress!, available) }) == 0 {
                return (start, available == delimiter.count)
            }
            index = start + 1
        }
        return nil
    }

    private func findCRLF(in buffer: UnsafeRawBufferPointer, from: Int) -> Int? {
        var index = from
        while index + 1 < buffer.count {
            if buffer[index] == 0x0D && buffer[index + 1] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    /// `name: value` (RFC 9110 §5.1); no obsolete line folding, no control characters but HTAB.
    private mutating func parseHeaderLine(_ line: UnsafeRawBufferPointer) throws {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              line[..<colon].allSatisfy(isTokenByte) else {
            throw MultipartError.malformed("a part header line is not 'name: value'")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value.removeFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
        guard !value.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }),
              let text = String(validating: value, as: UTF8.self) else {
            throw MultipartError.malformed("a part header value has control characters or is not UTF-8")
        }
        headers.append(String(decoding: line[..<colon], as: UTF8.self), text)
    }

    private func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

extension MultipartParser {
    /// The boundary of a `multipart/form-data; boundary=...` Content-Type, quoted or not; nil when
    /// the media type is another one or the boundary breaks RFC 2046 §5.1.1 (1 to 70 characters
    /// from its `bchars` set, not ending in a space).
    public static func boundary(contentType: String) -> String? {
        guard let parsed = ParameterizedHeaderValue(contentType), parsed.value == "multipart/form-data",
              let boundary = parsed["boundary"], (1...70).contains(boundary.utf8.count),
              boundary.utf8.allSatisfy(isBoundaryByte), boundary.utf8.last != UInt8(ascii: " ") else {
            return nil
        }
        return boundary
    }

    private static func isBoundaryByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "'()+_,-./:=? ".utf8.contains(byte)
        }
    }
}

/// Walks a complete head (request line through the empty line) once, checking every byte against
/// the grammar and recording where each piece lies, so Strings are built only from bytes already
/// known good. `bytes` ends in CRLF CRLF and every LF in it follows a CR (the scan that found the
/// end checked both), so each loop below stops at the latest at a CR without bounds checks.
struct HeadReader {
    let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    struct RequestLine {
        var method: Range<Int>
        var target: Range<Int>
        var version: RequestHead.Version
    }

    /// request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
    mutating func readRequestLine() throws(ParseError) -> RequestLine {
        let methodStart = position
        while ByteClass.isTchar(bytes[position]) { position += 1 }
        guard position > methodStart, bytes[position] == ByteClass.space else {
            throw unexpected(at: position, otherwise: .invalidMethod)
        }
        let method = methodStart..<position
        position += 1

        let targetStart = position
        while ByteClass.isVisible(bytes[position]) { position += 1 }
        guard bytes[position] == ByteClass.space else {
            let endsLine = bytes[position] == ByteClass.cr && bytes[position + 1] == ByteClass.lf
            throw endsLine ? .invalidRequestLine : unexpected(at: position, otherwise: .invalidTarget)
        }
        guard position > targetStart else { throw .invalidRequestLine }
        let target = targetStart..<position
        try checkTargetForm(target, method: method)
        position += 1

        let versionStart = position
        while ByteClass.isVisible(bytes[position]) { position += 1 }
        guard bytes[position] == ByteClass.cr else { throw unexpected(at: position, otherwise: .invalidVersion) }
        guard bytes[position + 1] == ByteClass.lf else { throw .bareCR }
        let version = try readVersion(versionStart..<position)
        position += 2
        return RequestLine(method: method, target: target, version: version)
    }

    /// The next field line's name and OWS-trimmed value (RFC 9112 §5), or nil at the empty line.
    mutating func readField() throws(ParseError) -> (name: Range<Int>, value: Range<Int>)? {
        let first = bytes[position]
        if first == ByteClass.cr {
            guard bytes[position + 1] == ByteClass.lf else { throw .bareCR }
            return nil
        }
        // A field line that starts with whitespace continues the previous one (obs-fold); a
        // server must reject it rather than guess how an upstream joined it (RFC 9112 §5.2).
        if ByteClass.isWhitespace(first) { throw .obsoleteLineFolding }

        let nameStart = position
        while ByteClass.isTchar(bytes[position]) { position += 1 }
        guard bytes[position] == ByteClass.colon else {
            // "Name : value" is rejected outright: proxies disagree on what name it carries (RFC 9112 §5.1).
            if position > nameStart && ByteClass.isWhitespace(bytes[position]) { throw .whitespaceBeforeColon }
            throw unexpected(at: position, otherwise: .invalidHeaderName)
        }
        guard position > nameStart else { throw .invalidHeaderName }
        let name = nameStart..<position
        position += 1

        while ByteClass.isWhitespace(bytes[position]) { position += 1 }
        let valueStart = position
        while ByteClass.isFieldValue(bytes[position]) { position += 1 }
        guard bytes[position] == ByteClass.cr else { throw unexpected(at: position, otherwise: .invalidHeaderValue) }
        guard bytes[position + 1] == ByteClass.lf else { throw .bareCR }
        var valueEnd = position
        while valueEnd > valueStart && ByteClass.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        position += 2
        return (name, valueStart..<valueEnd)
    }

    /// Origin-form ("/path?query") for every method, or asterisk-form ("*") for OPTIONS only
    /// (RFC 9112 §3.2.1, §3.2.4). Absolute- and authority-form are for proxies, which Quarry is not.
    private func checkTargetForm(_ target: Range<Int>, method: Range<Int>) throws(ParseError) {
        let first = bytes[target.lowerBound]
        if first == UInt8(ascii: "/") { return }
        guard first == UInt8(ascii: "*"), target.count == 1, bytes.equals(method, "OPTIONS") else {
            throw .invalidTarget
        }
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3): 1.0 and 1.1 are served; any other
    /// well-formed version is a version we do not support (505), anything else is malformed (400).
    private func readVersion(_ range: Range<Int>) throws(ParseError) -> RequestHead.Version {
        guard range.count == 8, bytes.equals(range.prefix(5), "HTTP/") else { throw .invalidVersion }
        let major = bytes[range.lowerBound + 5]
        let dot = bytes[range.lowerBound + 6]
        let minor = bytes[range.lowerBound + 7]
        guard ByteClass.isDigit(major), dot == UInt8(ascii: "."), ByteClass.isDigit(minor) else {
            throw .invalidVersion
        }
        switch (major, minor) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http1_0
        default: throw .unsupportedVersion
        }
    }

    /// The error for a byte the grammar does not allow at `index`. NUL and a CR that is not part of
    /// CRLF are named for themselves wherever they appear, so a test can pin those rules exactly.
    private func unexpected(at index: Int, otherwise error: ParseError) -> ParseError {
        switch bytes[index] {
        case 0: .nulByte
        case ByteClass.cr where bytes[index + 1] != ByteClass.lf: .bareCR
        default: error
        }
    }
}

/// A header value of the form `value; name=token; name="quoted string"` (RFC 9110 §5.6.6), as in
/// Content-Type and Content-Disposition.
struct ParameterizedHeaderValue {
    /// The part before the first `;` (media type, disposition type), lowercased: it is case-insensitive.
    let value: String
    /// Names lowercased, values unquoted with their quoted-pair escapes (`\"`, `\\`) resolved.
    let parameters: [(name: String, value: String)]

    /// Nil when the value is malformed or not UTF-8. Unquoted parameter values may hold any byte but
    /// `;`, `"` and whitespace, a little looser than a token: some clients send `boundary=a=b` unquoted.
    init?(_ text: String) {
        var scanner = ValueScanner(bytes: Array(text.utf8))
        let head = scanner.take { $0 != UInt8(ascii: ";") }
        guard let value = String(validating: head.trimmed, as: UTF8.self), !value.isEmpty else { return nil }
        var parameters: [(name: String, value: String)] = []
        while scanner.skip(UInt8(ascii: ";")) {
            scanner.skipWhitespace()
            if scanner.isAtEnd || scanner.peek == UInt8(ascii: ";") { continue }
            let name = scanner.take { $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: ";") && !isWhitespace($0) }
            guard !name.isEmpty, scanner.skip(UInt8(ascii: "=")), let raw = scanner.parameterValue(),
                  let name = String(validating: name, as: UTF8.self),
                  let value = String(validating: raw, as: UTF8.self) else { return nil }
            parameters.append((name.lowercased(), value))
            scanner.skipWhitespace()
        }
        guard scanner.isAtEnd else { return nil }
        self.value = value.lowercased()
        self.parameters = parameters
    }

    /// The first parameter called `name` (lowercase).
    subscript(name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }
}

private func isWhitespace(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
}

private struct ValueScanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }
    var peek: UInt8? { isAtEnd ? nil : bytes[index] }

    mutating func take(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < bytes.count, predicate(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    mutating func skip(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        index += 1
        return true
    }

    mutating func skipWhitespace() {
        _ = take(while: isWhitespace)
    }

    /// A token-like run or a quoted-string (RFC 9110 §5.6.4); nil for an unterminated quote or a
    /// control character inside one.
    mutating func parameterValue() -> [UInt8]? {
        guard skip(UInt8(ascii: "\"")) else {
            let token = take { $0 != UInt8(ascii: ";") && $0 != UInt8(ascii: "\"") && !isWhitespace($0) && $0 > 0x1F }
            return token.isEmpty ? nil : Array(token)
        }
        var value: [UInt8] = []
        while let byte = peek {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return value
            case UInt8(ascii: "\\"):
                guard let escaped = peek else { return nil }
                index += 1
                value.append(escaped)
            case 0x00...0x08, 0x0A...0x1F, 0x7F:
                return nil
            default:
                value.append(byte)
            }
        }
        return nil
    }
}

private extension ArraySlice<UInt8> {
    var trimmed: ArraySlice<UInt8> {
        var slice = self
        while let first = slice.first, isWhitespace(first) { slice.removeFirst() }
        while let last = slice.last, isWhitespace(last) { slice.removeLast() }
        return slice
    }
}

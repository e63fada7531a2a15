/// Splits SQL text into tokens, just finely enough to rewrite it safely: placeholders and type names
/// are changed only where they are code, never inside a string literal, a quoted identifier or a
/// comment. It does not parse; `PostgresPlaceholders` and `PostgresSchema` read the token stream.
///
/// Works on UTF-8 bytes: every byte the rewriters look at is ASCII, and the text of a token is
/// copied through unchanged, so non-ASCII text only ever passes through.
struct SQLToken {
    enum Kind: Equatable {
        case whitespace
        /// `-- …` to the end of the line, or `/* … */` (nested, as PostgreSQL reads them).
        case comment
        /// `'…'` with `''` escapes, `E'…'` with backslash escapes too, or `$tag$…$tag$`.
        case string
        /// `"…"` with `""` escapes.
        case quotedIdentifier
        /// A keyword, an identifier or a number: a run of letters, digits, `_`, `$` and non-ASCII bytes.
        case word
        /// `?` or `?NNN`; `number` is NNN, nil for a bare `?`.
        case placeholder(number: Int?)
        /// Any other single byte: punctuation and operators.
        case symbol
    }

    let kind: Kind
    var text: String

    /// The word in upper case, for keyword comparisons; nil for other kinds.
    var keyword: String? { kind == .word ? text.uppercased() : nil }

    /// Neither whitespace nor a comment: what the rewriters step over when they look for the next word.
    var isSignificant: Bool { kind != .whitespace && kind != .comment }
}

enum SQLLexer {
    static func tokens(_ sql: String) -> [SQLToken] {
        let bytes = Array(sql.utf8)
        var tokens: [SQLToken] = []
        var index = 0
        while index < bytes.count {
            let start = index
            let kind = scan(bytes, &index)
            tokens.append(SQLToken(kind: kind, text: String(decoding: bytes[start..<index], as: UTF8.self)))
        }
        return tokens
    }

    /// Reads one token starting at `index` and leaves `index` after it; an unterminated literal or
    /// comment runs to the end of the text, for the server to report.
    private static func scan(_ bytes: [UInt8], _ index: inout Int) -> SQLToken.Kind {
        let byte = bytes[index]
        let next = index + 1 < bytes.count ? bytes[index + 1] : 0
        switch byte {
        case ascii(" "), ascii("\t"), ascii("\n"), ascii("\r"), 0x0B, 0x0C:
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            return .whitespace
        case ascii("-") where next == ascii("-"):
            while index < bytes.count, bytes[index] != ascii("\n") { index += 1 }
            return .comment
        case ascii("/") where next == ascii("*"):
            skipBlockComment(bytes, &index)
            return .comment
        case ascii("'"):
            skipQuoted(bytes, &index, quote: ascii("'"), backslashEscapes: false)
            return .string
        case ascii("E") where next == ascii("'"), ascii("e") where next == ascii("'"):
            index += 1
            skipQuoted(bytes, &index, quote: ascii("'"), backslashEscapes: true)
            return .string
        case ascii("\""):
            skipQuoted(bytes, &index, quote: ascii("\""), backslashEscapes: false)
            return .quotedIdentifier
        case ascii("$") where !isDigit(next):
            if skipDollarQuoted(bytes, &index) { return .string }
            index += 1
            return .symbol
        case ascii("?"):
            index += 1
            let digits = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let number = digits < index ? Int(String(decoding: bytes[digits..<index], as: UTF8.self)) : nil
            return .placeholder(number: number)
        default:
            guard isWordByte(byte) else {
                index += 1
                return .symbol
            }
            while index < bytes.count, isWordByte(bytes[index]) || bytes[index] == ascii("$") { index += 1 }
            return .word
        }
    }

    private static func skipQuoted(_ bytes: [UInt8], _ index: inout Int, quote: UInt8, backslashEscapes: Bool) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if backslashEscapes && byte == ascii("\\") {
                index += 1
            } else if byte == quote {
                // A doubled quote is an escaped one; anything else ends the literal.
                guard index < bytes.count, bytes[index] == quote else { return }
                index += 1
            }
        }
        index = min(index, bytes.count)
    }

    private static func skipBlockComment(_ bytes: [UInt8], _ index: inout Int) {
        var depth = 0
        while index < bytes.count {
            if bytes[index] == ascii("/"), index + 1 < bytes.count, bytes[index + 1] == ascii("*") {
                depth += 1
                index += 2
            } else if bytes[index] == ascii("*"), index + 1 < bytes.count, bytes[index + 1] == ascii("/") {
                depth -= 1
                index += 2
                if depth == 0 { return }
            } else {
                index += 1
            }
        }
    }

    /// `$tag$ … $tag$` (tag possibly empty), PostgreSQL's quoting for function bodies. False, with
    /// `index` unmoved, when the `$` does not open one.
    private static func skipDollarQuoted(_ bytes: [UInt8], _ index: inout Int) -> Bool {
        var end = index + 1
        while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
        guard end < bytes.count, bytes[end] == ascii("$") else { return false }
        let delimiter = Array(bytes[index...end])
        var search = end + 1
        while search + delimiter.count <= bytes.count {
            if bytes[search] == ascii("$"), Array(bytes[search..<search + delimiter.count]) == delimiter {
                index = search + delimiter.count
                return true
            }
            search += 1
        }
        index = bytes.count
        return true
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == ascii(" ") || byte == ascii("\t") || byte == ascii("\n") || byte == ascii("\r") || byte == 0x0B || byte == 0x0C
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= ascii("0") && byte <= ascii("9") }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= ascii("a") && byte | 0x20 <= ascii("z")) || byte == ascii("_") || byte >= 0x80
    }

    private static func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(character.value) }
}

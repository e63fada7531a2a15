/// The byte classes of the HTTP grammar (RFC 9110 §5.6, RFC 9112 §2), as branch-light predicates:
/// the parsers test every head byte against one of these, so they avoid tables behind a global
/// accessor and use arithmetic or a 128-bit mask instead.
enum ByteClass {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")

    /// Bits 0-63 and 64-127 of the tchar set: "!#$%&'*+-.^_`|~", DIGIT and ALPHA.
    static let tcharLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tcharHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// token = 1*tchar: methods, field names, transfer codings, chunk extension names.
    @inline(__always)
    static func isTchar(_ byte: UInt8) -> Bool {
        let mask = byte < 64 ? tcharLow : tcharHigh
        return byte < 128 && (mask >> UInt64(byte & 63)) & 1 == 1
    }

    /// VCHAR: what a request-target may hold (no space, no control, no byte ≥ 0x80).
    @inline(__always)
    static func isVisible(_ byte: UInt8) -> Bool {
        byte &- 0x21 < 0x5E
    }

    /// field-vchar / SP / HTAB: VCHAR, obs-text (0x80-0xFF) and the two whitespace bytes.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte != 0x7F) || byte == tab
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// The value of a HEXDIG, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int? {
        if isDigit(byte) { return Int(byte &- UInt8(ascii: "0")) }
        let folded = byte | 0x20
        return folded &- UInt8(ascii: "a") < 6 ? Int(folded &- UInt8(ascii: "a")) + 10 : nil
    }
}

extension UnsafeRawBufferPointer {
    /// Whether `range` holds exactly the bytes of `literal`.
    @inline(__always)
    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let expected = literal.utf8Start
        for offset in 0..<range.count where self[range.lowerBound + offset] != expected[offset] {
            return false
        }
        return true
    }

    /// Whether `range` equals `lowercase` ignoring ASCII case, by OR-ing 0x20 into each byte. That
    /// folds only letters as long as `lowercase` holds letters, digits and "-", and the bytes were
    /// already validated as tchars or field-value bytes: the other bytes that fold onto a digit or
    /// "-" are control bytes, which neither class admits. Eight bytes are compared at a time,
    /// since every field name on the hot path goes through here.
    @inline(__always)
    func equalsIgnoringCase(_ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        let count = range.count
        guard count == lowercase.utf8CodeUnitCount, let base = baseAddress else { return false }
        let actual = base + range.lowerBound
        let expected = UnsafeRawPointer(lowercase.utf8Start)
        var offset = 0
        while offset + 8 <= count {
            let word = actual.loadUnaligned(fromByteOffset: offset, as: UInt64.self) | 0x2020_2020_2020_2020
            guard word == expected.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < count {
            guard actual.load(fromByteOffset: offset, as: UInt8.self) | 0x20
                == expected.load(fromByteOffset: offset, as: UInt8.self) else { return false }
            offset += 1
        }
        return true
    }
}

import Foundation

/// Numbers as every format prints them: plain decimals, never exponent notation.
enum NumberText {
    /// At most 6 decimals with trailing zeros dropped, so `12.5` stays `12.5`, `12` prints as `12`
    /// and floating-point noise such as `0.30000000000000004` prints as `0.3`.
    static func plain(_ value: Double) -> String {
        var text = fixed(value, places: 6)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Exactly `places` decimals, as YOLO label files conventionally have.
    static func fixed(_ value: Double, places: Int) -> String {
        // The C formatter never uses exponent notation for %f and ignores the process locale here.
        let text = String(format: "%.\(places)f", value)
        // -0.0 and tiny negatives round to a "-0" nobody wants to read.
        let isZero = text.allSatisfy { $0 == "-" || $0 == "0" || $0 == "." }
        return isZero && text.hasPrefix("-") ? String(text.dropFirst()) : text
    }
}

/// A JSON string literal.
enum JSONText {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// RFC 4180 fields and records.
enum CSVText {
    /// Quoted when it holds a comma, a quote, CR or LF, with inner quotes doubled.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One record with the CRLF line ending RFC 4180 specifies.
    static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }
}

/// A YAML double-quoted scalar, readable by PyYAML (and so Ultralytics), whatever the name holds.
enum YAMLText {
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            // Control characters, and the characters YAML 1.1 treats as line breaks.
            case 0...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF: out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

private func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

import Foundation

/// What a JSON value at a path must be. Strings may name placeholders.
enum Expected: Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
               ExpressibleByNilLiteral, CustomStringConvertible {
    case string(String)
    /// A string or a number whose text is this, for comparing with a captured value (`"{image}"`).
    case text(String)
    case number(Double)
    case bool(Bool)
    case null
    case present
    case absent
    /// An array or object with this many elements.
    case count(Int)
    case prefix(String)
    case contains(String)
    /// A number at least this large.
    case atLeast(Double)

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(nilLiteral: ()) { self = .null }

    var description: String {
        switch self {
        case .string(let text): "\"\(text)\""
        case .text(let text): "\(text)"
        case .number(let number): "\(number)"
        case .bool(let flag): "\(flag)"
        case .null: "null"
        case .present: "present"
        case .absent: "absent"
        case .count(let count): "\(count) elements"
        case .prefix(let text): "starting with \"\(text)\""
        case .contains(let text): "containing \"\(text)\""
        case .atLeast(let number): "at least \(number)"
        }
    }

    /// Whether `found` (nil when the path leads nowhere) is what this expects; `fill` fills placeholders.
    func matches(_ found: Any?, _ fill: (String) throws -> String) throws -> Bool {
        switch self {
        case .absent: return found == nil
        case .present: return found != nil
        case .null: return found is NSNull
        case .string(let text): return try (found as? String) == fill(text)
        case .text(let text): return try found.flatMap(Self.text(of:)) == fill(text)
        case .prefix(let text): return try (found as? String)?.hasPrefix(fill(text)) == true
        case .contains(let text): return try (found as? String)?.contains(fill(text)) == true
        case .number(let number): return Self.number(found) == number
        case .atLeast(let number): return (Self.number(found) ?? -.infinity) >= number
        case .bool(let flag): return (found as? Bool) == flag
        case .count(let count):
            if let array = found as? [Any] { return array.count == count }
            if let object = found as? [String: Any] { return object.count == count }
            return false
        }
    }

    private static func number(_ value: Any?) -> Double? {
        guard let value, !(value is String), !(value is NSNull) else { return nil }
        return (value as? NSNumber)?.doubleValue
    }

    /// The value at `path` in a parsed JSON document: keys and array indices joined by dots
    /// (`data.classes.0.name`; a key holding a dot cannot be reached). Nil when there is none.
    static func lookup(_ path: String, in root: Any) -> Any? {
        var current: Any = root
        for key in path.split(separator: ".") {
            if let object = current as? [String: Any], let next = object[String(key)] {
                current = next
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// A JSON value as the text a placeholder takes: strings as they are, integers without a fraction.
    static func text(of value: Any) -> String? {
        if let string = value as? String { return string }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 1e15 ? String(Int(double)) : "\(double)"
        }
        return nil
    }
}

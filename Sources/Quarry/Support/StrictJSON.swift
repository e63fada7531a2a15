import Foundation

/// A request body read strictly: a JSON object with no key but `keys` (and, inside an object-valued key,
/// no key but its `nested` set), decoded into `Body`. Every problem names its field, so a client knows
/// which setting to fix.
enum StrictJSON {
    struct Problem: Error {
        let field: String
        let reason: String
    }

    static func decode<Body: Decodable>(_ type: Body.Type, from data: Data, keys: Set<String>,
                                        nested: [String: Set<String>] = [:]) throws(Problem) -> Body {
        _ = try object(data, keys: keys, nested: nested)
        return try typed(Body.self, from: data)
    }

    /// The body as a JSON object, checked against `keys` and, for object-valued sections, `nested`.
    static func object(_ data: Data, keys: Set<String>, nested: [String: Set<String>]) throws(Problem) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Problem(field: "body", reason: "must be a JSON object")
        }
        for key in object.keys.sorted() where !keys.contains(key) { throw Problem(field: key, reason: "is not a known setting") }
        for (section, allowed) in nested {
            guard let value = object[section], !(value is NSNull) else { continue }
            guard let inner = value as? [String: Any] else { throw Problem(field: section, reason: "must be an object") }
            for key in inner.keys.sorted() where !allowed.contains(key) {
                throw Problem(field: "\(section).\(key)", reason: "is not a known setting")
            }
        }
        return object
    }

    /// `data` decoded as `Body`, a failure naming the field it is about.
    static func typed<Body: Decodable>(_ type: Body.Type, from data: Data) throws(Problem) -> Body {
        do {
            return try JSONDecoder().decode(Body.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            throw Problem(field: context.fieldPath, reason: "has the wrong type or value")
        } catch {
            throw Problem(field: "body", reason: "could not be read")
        }
    }

    /// A required identifier of 1 to 100 characters.
    static func identifier(_ value: String?, _ field: String) throws(Problem) -> String {
        guard let value else { throw Problem(field: field, reason: "is required") }
        guard !value.isEmpty, value.count <= 100 else { throw Problem(field: field, reason: "must be 1 to 100 characters") }
        return value
    }
}

extension DecodingError.Context {
    /// Where decoding failed, as error messages name a field: keys and array positions joined by dots
    /// (`optimizer.lr`, `device.1`).
    public var fieldPath: String {
        codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

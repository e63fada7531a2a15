import Foundation
import HTTP
import Quarry

/// JSON in and out for the adapters: one encoder configuration, one decoding path with errors
/// that name what was wrong.
package enum JSON {
    static func response(_ value: some Encodable, status: Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return .bytes(Array(try encoder.encode(value)), status: status, contentType: "application/json")
        } catch {
            // Our own response types always encode; reaching this is a programming error worth a 500.
            return .bytes(Array("{\"error\":\"response encoding failed\"}".utf8), status: .internalServerError,
                          contentType: "application/json")
        }
    }

    /// The keys a body may have: a key outside `keys` is refused, naming it, and so is one inside an
    /// object-valued key outside that key's `nested` set. Bodies a spec fixes (Studio) are read this
    /// way; JTheta's and HITL's SDKs send keys Quarry has no use for, which are ignored.
    package struct Keys: Sendable {
        let keys: Set<String>
        var nested: [String: Set<String>] = [:]
    }

    /// Decodes the request body as `T`, refusing bad input with the offending field (`APIError.invalid`). Every
    /// message starts with the field's path (`optimizer.lr has the wrong type`), as Studio clients
    /// rely on and the other surfaces' clients read most easily.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, keys: Keys? = nil) throws(APIError) -> T {
        guard let value = try decodeIfPresent(type, from: request, keys: keys) else {
            throw APIError.badRequest("request body must be a JSON object")
        }
        return value
    }

    /// As `decode`, for a body that may be left out: nil when it is empty.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request, keys: Keys? = nil) throws(APIError) -> T? {
        let bytes: [UInt8]
        do {
            guard let data = try request.body.data() else { throw APIError.badRequest("request body is too large for JSON") }
            bytes = data
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.badRequest("request body could not be read")
        }
        guard !bytes.isEmpty else { return nil }
        return try decode(type, from: Data(bytes), keys: keys)
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data, keys: Keys? = nil) throws(APIError) -> T {
        if let keys { try check(data, against: keys) }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalid((context.codingPath + [key]).fieldPath, "is required")
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            // The body itself (an array, a string) rather than a field of it: there is no field to name.
            throw APIError.badRequest("request body must be a JSON object")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw APIError.invalid(context.codingPath.fieldPath, "has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw APIError.invalid(context.codingPath.fieldPath, "has an invalid value")
        } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
    }

    private static func check(_ data: Data, against allowed: Keys) throws(APIError) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("request body must be a JSON object")
        }
        for key in object.keys.sorted() where !allowed.keys.contains(key) { throw unknown(key) }
        for (section, keys) in allowed.nested {
            guard let value = object[section], !(value is NSNull) else { continue }
            guard let inner = value as? [String: Any] else { throw APIError.invalid(section, "must be an object") }
            for key in inner.keys.sorted() where !keys.contains(key) { throw unknown("\(section).\(key)") }
        }
    }

    private static func unknown(_ field: String) -> APIError {
        .invalid(field, "is not a known setting")
    }

    /// A required identifier of 1 to 100 characters.
    static func identifier(_ value: String?, _ field: String) throws(APIError) -> String {
        guard let value else { throw APIError.invalid(field, "is required") }
        guard !value.isEmpty, value.count <= 100 else { throw APIError.invalid(field, "must be 1 to 100 characters") }
        return value
    }

    /// One of an enum's raw values, or the enum's `fallback` when the field was left out.
    static func choice<Choice: RawRepresentable & CaseIterable>(_ raw: String?, _ field: String,
                                                                 or fallback: Choice) throws(APIError) -> Choice where Choice.RawValue == String {
        guard let raw else { return fallback }
        guard let choice = Choice(rawValue: raw) else {
            let names = Choice.allCases.map(\.rawValue)
            throw APIError.invalid(field, "must be \(names.dropLast().joined(separator: ", ")) or \(names.last ?? "")")
        }
        return choice
    }
}

extension [any CodingKey] {
    /// Where decoding failed, as error messages name a field: keys and array positions joined by dots
    /// (`optimizer.lr`, `device.1`).
    var fieldPath: String {
        map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}

import Foundation
import HTTP
import Quarry

/// JSON in and out for the adapters: one encoder configuration, one decoding path with errors
/// that name what was wrong.
enum JSON {
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

    /// Decodes the request body as `T`, answering 400 with the offending field for bad input.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request) throws(APIError) -> T {
        guard let value = try decodeIfPresent(type, from: request) else { throw APIError.badRequest("request body must be a JSON object") }
        return value
    }

    /// As `decode`, for a body that may be left out: nil when it is empty.
    static func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request) throws(APIError) -> T? {
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
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw APIError.badRequest("field '\(context.fieldPath)' has the wrong type")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw APIError.badRequest("field '\(context.fieldPath)' has an invalid value")
        } catch {
            throw APIError.badRequest("request body is not valid JSON")
        }
    }
}

/// A step's request body. Text (JSON) and the text fields of a form have their placeholders filled;
/// bytes are sent as they are.
enum StepBody: Sendable {
    case empty
    case text(String)
    case bytes([UInt8])
    case multipart([Part])

    enum Part: Sendable {
        case field(String, String)
        case file(field: String, name: String, bytes: [UInt8], type: String)
    }

    static let boundary = "quarry-scenario-boundary"

    func encoded(_ fill: (String) throws -> String) throws -> [UInt8] {
        switch self {
        case .empty: return []
        case .text(let text): return Array(try fill(text).utf8)
        case .bytes(let bytes): return bytes
        case .multipart(let parts):
            var out: [UInt8] = []
            for part in parts {
                out += Array("--\(Self.boundary)\r\n".utf8)
                switch part {
                case .field(let name, let value):
                    out += Array("Content-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(try fill(value))\r\n".utf8)
                case .file(let field, let name, let bytes, let type):
                    out += Array("Content-Disposition: form-data; name=\"\(field)\"; filename=\"\(name)\"\r\n".utf8)
                    out += Array("Content-Type: \(type)\r\n\r\n".utf8) + bytes + Array("\r\n".utf8)
                }
            }
            return out + Array("--\(Self.boundary)--\r\n".utf8)
        }
    }
}

import Crypto
import Foundation

/// AWS Signature Version 4, as S3 and the stores that speak its API check it: a request's
/// method, path, query, chosen headers and payload hash, canonicalized and signed with a key derived from
/// the secret, the day, the region and the service through HMAC-SHA256 (libcrypto, `Crypto.HMAC`).
///
/// Paths and query values are given as they are meant (an object key with its spaces and non-ASCII
/// letters); `Self.encodePath` and `Self.encodeQuery` give the bytes the request line must carry, so
/// what is sent and what is signed are the same string.
public struct SignatureV4: Sendable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let region: String
    public let service: String

    public init(accessKeyID: String, secretAccessKey: String, region: String, service: String = "s3") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.region = region
        self.service = service
    }

    /// What is signed. `host` is among the headers; `payloadHash` is the body's SHA-256 in hex, or
    /// `unsignedPayload` for a body the signature does not cover (a presigned URL's).
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: [(name: String, value: String)]
        public var headers: [(name: String, value: String)]
        public var payloadHash: String

        public init(method: String, path: String, query: [(name: String, value: String)] = [],
                    headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The SHA-256 of no bytes, a GET's or a HEAD's payload hash.
    public static let emptyPayload = Hex.encode(SHA256.hash([UInt8]()))

    /// The header fields a request sends signed: `x-amz-date`, `x-amz-content-sha256` and `Authorization`,
    /// computed over `request`'s headers with the first two added.
    public func sign(_ request: Request, at date: Date) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var signed = request
        signed.headers += [("x-amz-content-sha256", request.payloadHash), ("x-amz-date", stamp.full)]
        let (names, signature) = self.signature(signed, stamp: stamp)
        let authorization = "\(Self.algorithm) Credential=\(accessKeyID)/\(scope(stamp.day)), SignedHeaders=\(names), Signature=\(signature)"
        return [("x-amz-content-sha256", request.payloadHash), ("x-amz-date", stamp.full), ("Authorization", authorization)]
    }

    /// A presigned URL's query: `request.query` with the signing parameters and the signature, for a request
    /// whose only signed header is `host` and whose body is not signed. `expires` is in seconds (at most a
    /// week, S3's bound).
    public func presign(_ request: Request, at date: Date, expires: Int) -> [(name: String, value: String)] {
        let stamp = Self.timestamp(date)
        var signed = request
        signed.payloadHash = Self.unsignedPayload
        signed.query += [("X-Amz-Algorithm", Self.algorithm), ("X-Amz-Credential", "\(accessKeyID)/\(scope(stamp.day))"),
                         ("X-Amz-Date", stamp.full), ("X-Amz-Expires", String(min(max(expires, 1), 604_800))),
                         ("X-Amz-SignedHeaders", Self.canonicalHeaders(signed.headers).names)]
        let (_, signature) = self.signature(signed, stamp: stamp)
        return signed.query + [("X-Amz-Signature", signature)]
    }

    /// The canonical request (AWS's step 1), exposed for the tests that compare it with AWS's examples.
    static func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        let headers = canonicalHeaders(request.headers)
        let text = [request.method, encodePath(request.path), encodeQuery(request.query), headers.block, headers.names,
                    request.payloadHash].joined(separator: "\n")
        return (text, headers.names)
    }

    private func signature(_ request: Request, stamp: (day: String, full: String)) -> (signedHeaders: String, signature: String) {
        let canonical = Self.canonicalRequest(request)
        let toSign = [Self.algorithm, stamp.full, scope(stamp.day), Hex.encode(SHA256.hash(Array(canonical.text.utf8)))]
            .joined(separator: "\n")
        var key = Array("AWS4\(secretAccessKey)".utf8)
        for part in [stamp.day, region, service, "aws4_request"] { key = HMAC.sha256(key: key, message: Array(part.utf8)) }
        return (canonical.signedHeaders, Hex.encode(HMAC.sha256(key: key, message: Array(toSign.utf8))))
    }

    private func scope(_ day: String) -> String { "\(day)/\(region)/\(service)/aws4_request" }

    /// Lowercased names, values trimmed with inner runs of spaces made one, sorted by name; a name given
    /// twice is one line with its values joined by commas, in the order given.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, names: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let squeezed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            values[name.lowercased(), default: []].append(squeezed.trimmingCharacters(in: .whitespaces))
        }
        let names = values.keys.sorted()
        return (names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined(), names.joined(separator: ";"))
    }

    /// Every byte but the unreserved ones (`A–Z a–z 0–9 - . _ ~`) percent-encoded, in capitals; `/` kept
    /// in a path. S3 encodes a path once (other services twice).
    public static func encodePath(_ path: String) -> String { percentEncode(path, keepingSlash: true) }

    /// Names and values encoded, sorted by name and then value; a name without a value keeps its `=`.
    public static func encodeQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (percentEncode($0.name, keepingSlash: false), percentEncode($0.value, keepingSlash: false)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func percentEncode(_ text: String, keepingSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// `20130524` and `20130524T000000Z`, in UTC whatever the machine's zone.
    static func timestamp(_ date: Date) -> (day: String, full: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day, day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!))
    }
}

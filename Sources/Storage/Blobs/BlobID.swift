/// The SHA-256 of a blob's bytes, as 64 lowercase hex digits: the only name a blob has, so equal
/// content is stored once and no user-supplied name ever reaches the file system.
public struct BlobID: Hashable, Sendable, CustomStringConvertible, Codable {
    public let hex: String

    /// Nil unless `hex` is exactly 64 lowercase hex digits; uppercase is refused so that one blob
    /// has one spelling, in paths and in database rows alike.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy(Self.isLowercaseHexDigit) else { return nil }
        self.hex = hex
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): true
        default: false
        }
    }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = BlobID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a blob id: \(text)")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

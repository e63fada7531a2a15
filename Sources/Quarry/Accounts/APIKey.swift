import Crypto

/// An API key: `qk_` followed by 64 hex digits, the 32 random bytes from the CSPRNG.
/// Shown once when made; the database keeps only its SHA-256. A fast hash is enough here
/// (unlike for passwords): 256 random bits cannot be guessed, so slowing down guesses buys nothing.
public struct APIKey: Sendable {
    public static let prefix = "qk_"
    private static let lookupLength = 16

    public let text: String

    public static func generate() -> APIKey {
        APIKey(text: prefix + SecureRandom.hex(bytes: 32))
    }

    /// Accepts only well-formed keys, so junk never reaches the database.
    public init?(presented: String) {
        let body = presented.utf8.dropFirst(Self.prefix.utf8.count)
        guard presented.hasPrefix(Self.prefix), body.count == 64,
              body.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        text = presented
    }

    private init(text: String) {
        self.text = text
    }

    /// The first hex digits of the random part: enough to find the row, too few to help a guesser.
    public var lookup: String {
        String(text.dropFirst(Self.prefix.count).prefix(Self.lookupLength))
    }

    public var hash: [UInt8] { SHA256.hash(Array(text.utf8)) }
}

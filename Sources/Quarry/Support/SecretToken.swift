import Crypto

/// A bearer secret: a short type prefix followed by 64 hex digits, 32 bytes from the CSPRNG.
/// API keys are `qk_…`, workbench tokens `wk_…`. Shown once when made; the database keeps only
/// the SHA-256. A fast hash is enough here, unlike for passwords: 256 random bits cannot be
/// guessed, so slowing down each guess buys nothing.
public struct SecretToken: Sendable {
    public static let apiKeyPrefix = "qk_"
    public static let workerPrefix = "wk_"
    private static let lookupLength = 16

    public let text: String

    public static func generate(prefix: String) -> SecretToken {
        SecretToken(text: prefix + SecureRandom.hex(bytes: 32))
    }

    /// Accepts only well-formed tokens of the given kind, so junk never reaches the database.
    public init?(presented: String, prefix: String) {
        let body = presented.utf8.dropFirst(prefix.utf8.count)
        guard presented.hasPrefix(prefix), body.count == 64,
              body.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else { return nil }
        text = presented
    }

    private init(text: String) {
        self.text = text
    }

    /// The first hex digits after the prefix: enough to find the row, too few to help a guesser.
    public var lookup: String {
        String(text.drop { $0 != "_" }.dropFirst().prefix(Self.lookupLength))
    }

    public var hash: [UInt8] { SHA256.hash(Array(text.utf8)) }

    /// Compares a presented token with stored candidates in constant time; a malformed or unknown
    /// token still costs one hash and one comparison, so timing does not tell them apart.
    public static func match<T>(_ presented: String, prefix: String, candidates: (String) throws -> [(hash: [UInt8], value: T)]) rethrows -> T? {
        guard let token = SecretToken(presented: presented, prefix: prefix) else {
            _ = ConstantTime.equal(SHA256.hash(Array(presented.utf8)), decoy)
            return nil
        }
        let hash = token.hash
        let found = try candidates(token.lookup)
        var match: T?
        for candidate in found where ConstantTime.equal(candidate.hash, hash) {
            match = candidate.value
        }
        if found.isEmpty { _ = ConstantTime.equal(hash, decoy) }
        return match
    }

    private static let decoy = [UInt8](repeating: 0, count: SHA256.byteCount)
}

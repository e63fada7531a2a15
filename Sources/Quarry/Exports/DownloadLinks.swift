import Crypto
import Foundation
import Storage

/// Expiring download links: `/downloads/{export_id}/{file_name}?expires=…&signature=…`, where the
/// signature is an HMAC-SHA256 of the export id and expiry under a secret kept in the database.
/// A link works without an API key (so a browser or `curl -L` can follow the redirect) but only
/// until it expires, and cannot be forged or pointed at another export.
public struct DownloadLinks: Sendable {
    private let secret: [UInt8]
    public let lifetime: TimeInterval

    init(database: any Database, lifetime: TimeInterval = 3600) throws {
        self.lifetime = lifetime
        secret = try database.write { db in
            if let existing = try db.queryOne("SELECT value FROM settings WHERE key = 'download_secret'") {
                return try existing.blob("value")
            }
            let fresh = SecureRandom.bytes(32)
            try db.run("INSERT INTO settings (key, value) VALUES ('download_secret', ?)", [fresh])
            return fresh
        }
    }

    /// The path and query of a link to `exportID`, valid for `lifetime` from `now`.
    public func link(exportID: String, fileName: String, now: Date = Date()) -> (path: String, expires: Int) {
        let expires = Int(now.timeIntervalSince1970 + lifetime)
        let name = fileName.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "#"])) ?? "export.zip"
        return ("/downloads/\(exportID)/\(name)?expires=\(expires)&signature=\(signature(exportID, expires))", expires)
    }

    public enum Check: Sendable, Equatable {
        case valid
        /// The signature does not match: the link was altered or made up.
        case forged
        case expired
    }

    /// Checks a presented link; the signature comparison is constant-time.
    public func check(exportID: String, expires: Int, signature presented: String, now: Date = Date()) -> Check {
        let expected = HMAC.sha256(key: secret, message: Array("\(exportID):\(expires)".utf8))
        guard let presentedBytes = Hex.decode(presented), ConstantTime.equal(presentedBytes, expected) else { return .forged }
        return Double(expires) >= now.timeIntervalSince1970 ? .valid : .expired
    }

    private func signature(_ exportID: String, _ expires: Int) -> String {
        Hex.encode(HMAC.sha256(key: secret, message: Array("\(exportID):\(expires)".utf8)))
    }
}

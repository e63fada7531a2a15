import Foundation
import HTTP
import Quarry

/// API-key authentication, the same on every surface: `Authorization: Bearer KEY` (JTheta,
/// Studio) or `Authorization: api_key KEY` (HITL).
enum Auth {
    /// The key the request presents, or nil when it sends none.
    /// Another scheme, or none, presents an empty key. Read by bytes: every keyed request asks, and
    /// Foundation's trimming and lowercasing cost more than the key check itself.
    static func presentedKey(_ request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        let bytes = header.utf8
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let space = bytes.firstIndex(where: isBlank),
              schemes.contains(where: { equalsIgnoringASCIICase(bytes[..<space], $0) }) else { return "" }
        let credentials = bytes[space...].drop(while: isBlank)
        let end = credentials.lastIndex(where: { !isBlank($0) }).map { bytes.index(after: $0) } ?? credentials.startIndex
        return String(decoding: credentials[credentials.startIndex..<end], as: UTF8.self)
    }

    private static let schemes = ["bearer", "api_key"]

    /// Whether `bytes` spell `lowercase` (ASCII) in any case.
    private static func equalsIgnoringASCIICase(_ bytes: Substring.UTF8View, _ lowercase: String) -> Bool {
        bytes.count == lowercase.utf8.count
            && zip(bytes, lowercase.utf8).allSatisfy { byte, expected in (byte | 0x20) == expected || byte == expected }
    }

    /// The calling account; 401 when the key is missing or not accepted. With `queryKey`, a
    /// request without an Authorization header may carry the key in that query parameter instead.
    /// Without either, the dashboard's session cookie is accepted, and without that the
    /// `anonymousAccountID` acts, where the Studio's single-user mode names one. Credentials that are
    /// sent are always checked: a bad key is a 401 in that mode too.
    static func account(_ request: Request, _ accounts: AccountService, queryKey: String? = nil,
                        anonymousAccountID: String? = nil) throws -> Account {
        if let key = presentedKey(request) ?? queryKey.flatMap({ request.query[$0] }) {
            guard let account = try accounts.authenticate(key: key) else { throw APIError.unauthorized }
            return account
        }
        if let secret = SessionCookie.account.value(in: request) {
            guard let account = try accounts.account(session: secret) else { throw APIError.unauthorized }
            return account
        }
        guard let id = anonymousAccountID, let account = try accounts.find(id) else { throw APIError.unauthorized }
        return account
    }
}

import Foundation
import HTTP
import Quarry

/// API-key authentication, the same on every surface: `Authorization: Bearer KEY` (JTheta,
/// Studio) or `Authorization: api_key KEY` (HITL).
enum Auth {
    /// The key the request presents, or nil when it sends none.
    static func presentedKey(_ request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return "" }
        switch parts[0].lowercased() {
        case "bearer", "api_key": return parts[1].trimmingCharacters(in: .whitespaces)
        default: return ""
        }
    }

    /// The calling account; 401 when the key is missing or not accepted. With `queryKey`, a
    /// request without an Authorization header may carry the key in that query parameter instead.
    /// Without either, the dashboard's session cookie is accepted.
    static func account(_ request: Request, _ accounts: AccountService, queryKey: String? = nil) throws -> Account {
        if let key = presentedKey(request) ?? queryKey.flatMap({ request.query[$0] }) {
            guard let account = try accounts.authenticate(key: key) else { throw APIError.unauthorized }
            return account
        }
        guard let secret = SessionCookie.account.value(in: request), let account = try accounts.account(session: secret) else {
            throw APIError.unauthorized
        }
        return account
    }
}

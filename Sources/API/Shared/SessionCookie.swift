import Foundation
import HTTP

/// A browser session's cookie: HttpOnly (scripts never hold it), SameSite=Strict (other sites cannot
/// make the browser send it, so the JSON APIs behind it need no CSRF token), path-wide.
struct SessionCookie: Sendable {
    let name: String

    static let worker = SessionCookie(name: "quarry_session")
    static let account = SessionCookie(name: "quarry_account")

    func set(_ secret: String, lifetime: Duration) -> String {
        "\(name)=\(secret); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(lifetime.components.seconds)"
    }

    var cleared: String { "\(name)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0" }

    /// The secret the request carries, if any.
    func value(in request: Request) -> String? {
        for header in request.headers.values("Cookie") {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }
}

extension AppFiles {
    /// `prefix` (and its slashless form, redirected) serves index.html, `prefix{file}` the other files.
    func bind(_ router: inout Router, prefix: String) {
        let files = self
        // The router reads /app and /app/ alike; the page's relative URLs need the slash.
        router.get(prefix, shaped(ErrorShapes.plain) { request in
            guard request.path.hasSuffix("/") else {
                var response = Response(status: .found)
                response.headers.append("Location", prefix)
                return response
            }
            return try files.response("index.html")
        })
        router.get(prefix + "{file}", shaped(ErrorShapes.plain) { request in try files.response(request.parameter("file") ?? "") })
    }
}

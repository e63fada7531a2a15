import Foundation
import HTTP
import Quarry

/// The account dashboard: its files under `/dashboard/`, and sign-in with the account's API key, posted
/// once and exchanged for a session cookie that the Studio API accepts as it accepts the key (image tags
/// and EventSource cannot send an Authorization header).
enum DashboardRoutes {
    static func bind(_ router: inout Router, services: Services) {
        AppFiles(directory: AppFiles.locate("dashboard"), files: AppFiles.dashboard).bind(&router, prefix: "/dashboard/")
        router.post("/dashboard/session", options: RouteOptions(maxBodyBytes: 4096), shaped(ErrorShapes.plain) { request in
            struct Body: Decodable { let api_key: String }
            let body = try JSON.decode(Body.self, from: request)
            guard let (account, secret) = try services.accounts.startSession(key: body.api_key) else {
                throw APIError(.unauthorized, "this API key is not valid")
            }
            var response = JSON.response(["account": account.name])
            response.headers.append("Set-Cookie", SessionCookie.account.set(secret, lifetime: AccountService.sessionLifetime))
            return response
        })
        // A new workbench link for one of the account's workers (a lost one, or one handed out only once by
        // an annotation request); earlier links of that worker stop working.
        router.post("/dashboard/workers/link", options: RouteOptions(maxBodyBytes: 4096), shaped(ErrorShapes.plain) { request in
            struct Body: Decodable { let email: String }
            let account = try Auth.account(request, services.accounts)
            let (worker, token) = try services.workers.issueToken(email: try JSON.decode(Body.self, from: request).email, account: account.id)
            return JSON.response(["email": worker.email, "link": WorkbenchLink.path(token: token)])
        })
        router.post("/dashboard/signout", shaped(ErrorShapes.plain) { request in
            if let secret = SessionCookie.account.value(in: request) { try services.accounts.endSession(secret) }
            var response = JSON.response(["signed_out": true])
            response.headers.append("Set-Cookie", SessionCookie.account.cleared)
            return response
        })
    }
}

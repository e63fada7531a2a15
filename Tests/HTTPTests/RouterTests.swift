import HTTP
import Testing

struct RouterTests {
    /// A router whose handlers answer with the route's pattern, so a test can see which one matched.
    private func router(_ routes: [(Method, String)]) -> Router {
        var router = Router()
        for (method, pattern) in routes {
            router.add(method, pattern) { _ in .text(pattern) }
        }
        return router
    }

    /// "METHOD pattern" of the matched route, or a name for the outcome.
    private func resolve(_ router: Router, _ method: Method, _ path: String) -> String {
        switch router.match(method, path: path) {
        case .found(let route, _): "\(route.method) \(route.pattern)"
        case .notFound: "404"
        case .methodNotAllowed(let allowed): "405 " + allowed.map(\.rawValue).joined(separator: ",")
        case .badPath: "400"
        }
    }

    private func parameters(_ router: Router, _ method: Method, _ path: String) -> [String: String]? {
        guard case .found(_, let parameters) = router.match(method, path: path) else { return nil }
        return parameters
    }

    @Test func aLiteralSegmentWinsOverAParameterAtTheSamePosition() {
        let router = router([(.get, "/api/export/{project_id}"), (.get, "/api/export/download")])
        #expect(resolve(router, .get, "/api/export/download") == "GET /api/export/download")
        #expect(resolve(router, .get, "/api/export/proj-1") == "GET /api/export/{project_id}")
        #expect(parameters(router, .get, "/api/export/proj-1") == ["project_id": "proj-1"])
        #expect(parameters(router, .get, "/api/export/download") == [:])
    }

    @Test func aDeadEndLiteralBranchBacktracksToTheParameterBranch() {
        let router = router([(.get, "/a/{x}/c"), (.get, "/a/b/d")])
        #expect(resolve(router, .get, "/a/b/c") == "GET /a/{x}/c")
        #expect(parameters(router, .get, "/a/b/c") == ["x": "b"])
        #expect(resolve(router, .get, "/a/b/d") == "GET /a/b/d")
        #expect(resolve(router, .get, "/a/z/d") == "404")
    }

    @Test func aParameterBranchBacktracksToTheRestCapture() {
        let router = router([(.get, "/files/{id}/meta"), (.get, "/files/{path...}")])
        #expect(resolve(router, .get, "/files/7/meta") == "GET /files/{id}/meta")
        #expect(parameters(router, .get, "/files/7/data") == ["path": "7/data"])
    }

    @Test func theRestCaptureTakesOneOrMoreSegmentsJoinedBySlashes() {
        let router = router([(.get, "/static/{path...}")])
        #expect(parameters(router, .get, "/static/css/site.css") == ["path": "css/site.css"])
        #expect(parameters(router, .get, "/static/a") == ["path": "a"])
        #expect(parameters(router, .get, "/static/a/") == ["path": "a"])
        #expect(resolve(router, .get, "/static") == "404")
        #expect(resolve(router, .get, "/static/") == "404")
        #expect(resolve(router, .get, "/static/a//b") == "404")
    }

    @Test func parametersArePercentDecodedAfterSplittingSoAnEncodedSlashStaysInOneValue() {
        let router = router([(.get, "/users/{name}/files/{file}"), (.get, "/raw/{rest...}")])
        #expect(parameters(router, .get, "/users/J%C3%BCrgen/files/a%2Fb%20c")
            == ["name": "Jürgen", "file": "a/b c"])
        #expect(parameters(router, .get, "/raw/x%2Fy/z") == ["rest": "x/y/z"])
        #expect(parameters(router, .get, "/users/a+b/files/x") == ["name": "a+b", "file": "x"])
    }

    @Test func literalsCompareAgainstTheDecodedSegment() {
        let router = router([(.get, "/api/export/download"), (.get, "/api/{section}")])
        #expect(resolve(router, .get, "/api/export/d%6Fwnload") == "GET /api/export/download")
        #expect(resolve(router, .get, "/api%2Fexport") == "404")
        #expect(parameters(router, .get, "/api/export%2Fdownload") == ["section": "export/download"])
    }

    @Test func malformedEscapesAndNonOriginPathsAreBadPaths() {
        let router = router([(.get, "/a/{x}")])
        for path in ["/a/%", "/a/%2", "/a/%zz", "/a/%C3", "/a/%FF", "/nomatch/%G0", "", "a/b", "*"] {
            #expect(resolve(router, .get, path) == "400", "path \(path)")
        }
    }

    @Test func aTrailingSlashIsNotSignificantOnEitherSide() {
        let router = router([(.post, "/delete_project/"), (.get, "/projects")])
        #expect(resolve(router, .post, "/delete_project") == "POST /delete_project/")
        #expect(resolve(router, .post, "/delete_project/") == "POST /delete_project/")
        #expect(resolve(router, .get, "/projects/") == "GET /projects")
        #expect(resolve(router, .get, "/projects//") == "404")
    }

    @Test func emptySegmentsNeverMatch() {
        let router = router([(.get, "/a/{x}/c"), (.get, "/a/b"), (.get, "/")])
        #expect(resolve(router, .get, "/a//c") == "404")
        #expect(resolve(router, .get, "//a/b") == "404")
        #expect(resolve(router, .get, "//") == "404")
        #expect(resolve(router, .get, "/") == "GET /")
    }

    @Test func headFallsBackToGetUnlessAHeadRouteIsRegistered() {
        let router = router([(.get, "/a"), (.get, "/b"), (.head, "/b")])
        #expect(resolve(router, .head, "/a") == "GET /a")
        #expect(resolve(router, .head, "/b") == "HEAD /b")
    }

    @Test func aPathRegisteredUnderOtherMethodsIs405WithASortedAllowList() {
        let router = router([(.put, "/items/{id}"), (.get, "/items/{id}"), (.delete, "/items/{id}"),
                             (.post, "/items/special")])
        #expect(resolve(router, .patch, "/items/9") == "405 DELETE,GET,HEAD,PUT")
        #expect(resolve(router, .patch, "/items/special") == "405 DELETE,GET,HEAD,POST,PUT")
        #expect(resolve(router, .get, "/items/special") == "GET /items/{id}")
        #expect(resolve(router, .get, "/things/9") == "404")
        #expect(resolve(router, .get, "/items/9/extra") == "404")
    }

    @Test func unknownMethodsGet405OnKnownPaths() {
        let router = router([(.post, "/upload")])
        #expect(resolve(router, Method("BREW"), "/upload") == "405 POST")
        #expect(resolve(router, .head, "/upload") == "405 POST")
    }

    @Test func routeOptionsAndHandlersAreCarriedThrough() throws {
        var router = Router()
        router.post("/upload", options: RouteOptions(maxBodyBytes: 1 << 30)) { _ in .text("uploaded") }
        router.get("/health", options: RouteOptions(runsInline: true)) { _ in .text("ok") }
        guard case .found(let upload, _) = router.match(.post, path: "/upload"),
              case .found(let health, _) = router.match(.get, path: "/health") else {
            Issue.record("routes did not match")
            return
        }
        #expect(upload.options.maxBodyBytes == 1 << 30 && !upload.options.runsInline)
        #expect(health.options.maxBodyBytes == nil && health.options.runsInline)
        let head = RequestHead(method: .get, target: "/health", version: .http1_1, headers: HTTPFields(),
                               keepAlive: true, expectsContinue: false)
        let response = try health.handler(Request(head: head, body: .empty, requestID: "r1", remoteAddress: "::1"))
        guard case .bytes(let body) = response.body else {
            Issue.record("expected a bytes body")
            return
        }
        #expect(body == Array("ok".utf8))
    }

    @Test func routesListsEveryRouteInRegistrationOrder() {
        var router = Router()
        router.get("/b") { _ in .text("") }
        router.put("/a/{id}") { _ in .text("") }
        router.patch("/a/{id}") { _ in .text("") }
        router.delete("/a/{id}") { _ in .text("") }
        router.add(.options, "/c/{rest...}") { _ in .text("") }
        #expect(router.routes.map { "\($0.method) \($0.pattern)" }
            == ["GET /b", "PUT /a/{id}", "PATCH /a/{id}", "DELETE /a/{id}", "OPTIONS /c/{rest...}"])
    }

    @Test func manyParametersAreAllCaptured() {
        let router = router([(.get, "/p/{a}/{b}/q/{c}/{d...}")])
        #expect(parameters(router, .get, "/p/1/2/q/3/4/5") == ["a": "1", "b": "2", "c": "3", "d": "4/5"])
    }
}

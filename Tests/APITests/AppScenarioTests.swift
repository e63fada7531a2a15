import API
import Foundation
import HTTP
import Quarry
import QuarryTesting
import Testing

/// Requests run through the real router and handlers in process, no sockets: the same routes the
/// end-to-end tests reach over HTTP, checked here table-first and fast.
@Suite struct AppScenarioTests {
    struct Scenario: CustomStringConvertible, Sendable {
        let name: String
        let method: Method
        let path: String
        var headers: [(String, String)] = []
        var body = ""
        let status: Int
        var contains: [String] = []

        var description: String { name }
    }

    static let adminKey = "scenario-admin"

    static let scenarios: [Scenario] = [
        Scenario(name: "health needs no key", method: .get, path: "/healthz", status: 200, contains: ["\"ok\""]),
        Scenario(name: "HITL health without a key", method: .get, path: "/v1/health", status: 200, contains: ["UP"]),
        Scenario(name: "HITL health with a bad key", method: .get, path: "/v1/health",
                 headers: [("Authorization", "api_key qk_nope")], status: 401, contains: ["invalid API key"]),
        Scenario(name: "admin without a key", method: .get, path: "/admin/accounts", status: 401),
        Scenario(name: "admin list", method: .get, path: "/admin/accounts",
                 headers: [("Authorization", "Bearer \(adminKey)")], status: 200, contains: ["\"accounts\":[]"]),
        Scenario(name: "admin create", method: .post, path: "/admin/accounts",
                 headers: [("Authorization", "Bearer \(adminKey)")], body: "{\"name\":\"team\"}", status: 201,
                 contains: ["\"api_key\":\"qk_", "\"name\":\"team\""]),
        Scenario(name: "admin create with a wrong type", method: .post, path: "/admin/accounts",
                 headers: [("Authorization", "Bearer \(adminKey)")], body: "{\"name\":5}", status: 400,
                 contains: ["name has the wrong type"]),
        Scenario(name: "admin create with no body", method: .post, path: "/admin/accounts",
                 headers: [("Authorization", "Bearer \(adminKey)")], status: 400, contains: ["JSON object"]),
        Scenario(name: "admin create with a blank name", method: .post, path: "/admin/accounts",
                 headers: [("Authorization", "Bearer \(adminKey)")], body: "{\"name\":\"  \"}", status: 400),
        Scenario(name: "rotate an unknown account", method: .post, path: "/admin/accounts/acct-000000000000/keys/rotate",
                 headers: [("Authorization", "Bearer \(adminKey)")], status: 404, contains: ["no account"]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        let directory = try TemporaryDirectory("quarry-api")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path)
        defer { services.close() }
        let app = App(services: services, configuration: App.Configuration(adminKey: Self.adminKey))

        let response = try Self.perform(scenario, on: app)
        #expect(response.status.code == scenario.status)
        guard case .bytes(let bytes) = response.body else {
            Issue.record("expected a body in memory")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for fragment in scenario.contains {
            #expect(text.contains(fragment), "\(text)")
        }
    }

    @Test func httpLayerErrorsTakeTheShapeOfTheSurface() {
        let head = { (path: String) in
            RequestHead(method: .get, target: path, version: .http1_1, headers: HTTPFields(), keepAlive: true, expectsContinue: false)
        }
        let directory = try? TemporaryDirectory("quarry-api")
        defer { directory?.remove() }
        guard let directory, let services = try? Services(dataDirectory: directory.path) else {
            Issue.record("could not open services")
            return
        }
        defer { services.close() }
        let app = App(services: services, configuration: App.Configuration())
        let studio = app.errorResponder(.contentTooLarge, "too big", head("/api/datasets/1"))
        let plain = app.errorResponder(.contentTooLarge, "too big", head("/v1/jobs"))
        let jtheta = app.errorResponder(.contentTooLarge, "too big", head("/create_dataset/"))
        let sdk = app.errorResponder(.contentTooLarge, "too big", head("/api/datasets/create"))
        let unparsed = app.errorResponder(.badRequest, "bad \"quote\"\n", nil)
        #expect(Self.text(studio) == "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"too big\"},\"status\":\"error\"}")
        #expect(Self.text(plain) == "{\"error\":\"too big\"}")
        // JTheta's SDK paths sit under /api/ but keep JTheta's shape: literal routes win over the Studio prefix.
        #expect(Self.text(jtheta) == "{\"detail\":\"too big\"}")
        #expect(Self.text(sdk) == "{\"detail\":\"too big\"}")
        #expect(Self.text(unparsed) == "{\"error\":\"bad \\\"quote\\\"\\n\"}")
    }

    private static func perform(_ scenario: Scenario, on app: App) throws -> Response {
        guard case .found(let route, let parameters) = app.router.match(scenario.method, path: scenario.path) else {
            return Response(status: .notFound)
        }
        let head = RequestHead(method: scenario.method, target: scenario.path, version: .http1_1,
                               headers: HTTPFields(scenario.headers), keepAlive: true, expectsContinue: false)
        let body: RequestBody = scenario.body.isEmpty ? .empty : .bytes(Array(scenario.body.utf8))
        return try route.handler(Request(head: head, body: body, pathParameters: parameters, requestID: "test", remoteAddress: "test"))
    }

    private static func text(_ response: Response) -> String {
        if case .bytes(let bytes) = response.body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}

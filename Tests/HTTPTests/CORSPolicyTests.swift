@testable import HTTP
import Testing

/// The CORS decisions as tables: which requests are preflights answered here, and which fields every
/// kind of response gets.
struct CORSPolicyTests {
    private static let policy = try! CORSPolicy(origins: "https://app.example.com, http://localhost:3000")

    private static func head(_ method: Method = .get, _ fields: [(String, String)]) -> RequestHead {
        RequestHead(method: method, target: "/v1/health", version: .http1_1, headers: HTTPFields(fields), keepAlive: true,
                    expectsContinue: false)
    }

    @Test func theSettingIsAListOfExactOriginsLowercased() throws {
        #expect(Self.policy.origins == ["https://app.example.com", "http://localhost:3000"])
        #expect(try CORSPolicy(origins: " HTTPS://App.Example.com:8443 ").origins == ["https://app.example.com:8443"])
        for setting in ["*", "null", "https://a.example,", "https://a.example/", "app.example.com", "https://a.example, *"] {
            #expect(throws: CORSPolicy.Invalid.self, "\(setting)") { try CORSPolicy(origins: setting) }
        }
    }

    @Test(arguments: [
        // (method, fields, answered here)
        (Method.options, [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST")], true),
        (Method.options, [("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "DELETE"),
                          ("Access-Control-Request-Headers", "authorization,content-type")], true),
        // Not allowed: routed as any OPTIONS, with no CORS fields.
        (Method.options, [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")], false),
        (Method.options, [("Origin", "https://APP.example.com"), ("Access-Control-Request-Method", "POST")], false),
        (Method.options, [("Origin", "https://app.example.com"), ("Origin", "https://app.example.com"),
                          ("Access-Control-Request-Method", "POST")], false),
        // Not preflights.
        (Method.options, [("Origin", "https://app.example.com")], false),
        (Method.options, [("Access-Control-Request-Method", "POST")], false),
        (Method.get, [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "POST")], false),
    ])
    func preflightsFromAllowedOriginsAreAnsweredBeforeRouting(method: Method, fields: [(String, String)], answered: Bool) {
        let request = Self.head(method, fields)
        guard var response = Self.policy.preflight(request) else {
            #expect(!answered)
            return
        }
        #expect(answered)
        Self.policy.decorate(&response, for: request)
        #expect(response.status == .noContent)
        #expect(response.headers["Access-Control-Allow-Origin"] == request.headers["Origin"])
        #expect(response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, POST, PUT, PATCH, DELETE")
        #expect(response.headers["Access-Control-Allow-Headers"] == "Authorization, Content-Type, X-Request-Id")
        #expect(response.headers["Access-Control-Max-Age"] == "7200")
        #expect(response.headers.values("Vary") == ["Origin"])
        #expect(!response.headers.contains("Access-Control-Allow-Credentials"))
        #expect(!response.headers.contains("Access-Control-Expose-Headers"))
    }

    @Test(arguments: [
        // (fields of the request, Access-Control-Allow-Origin expected)
        ([("Origin", "https://app.example.com")], "https://app.example.com"),
        ([("Origin", "http://localhost:3000")], "http://localhost:3000"),
        ([("Origin", "https://evil.example")], nil),
        ([("Origin", "http://localhost:3001")], nil),
        ([("Origin", "null")], nil),
        ([], nil),
    ] as [([(String, String)], String?)])
    func actualResponsesNameOnlyAnAllowedOrigin(fields: [(String, String)], allowed: String?) {
        var response = Response.text("ok")
        Self.policy.decorate(&response, for: Self.head(.get, fields))
        #expect(response.headers["Access-Control-Allow-Origin"] == allowed)
        #expect(response.headers.contains("Access-Control-Expose-Headers") == (allowed != nil))
        #expect(!response.headers.contains("Access-Control-Allow-Credentials"))
        #expect(!response.headers.contains("Access-Control-Allow-Methods"))
        let corsFields = response.headers.filter { $0.canonicalName.hasPrefix("access-control-") }
        #expect(corsFields.isEmpty == (allowed == nil))
        #expect(response.headers.values("Vary") == ["Origin"])
    }

    @Test func originJoinsAVaryTheResponseAlreadyHas() {
        var varied = Response.text("ok")
        varied.headers.append("Vary", "Accept-Encoding")
        Self.policy.decorate(&varied, for: Self.head(.get, []))
        #expect(varied.headers.values("Vary") == ["Accept-Encoding, Origin"])
        var everything = Response.text("ok")
        everything.headers.append("Vary", "*")
        Self.policy.decorate(&everything, for: Self.head(.get, []))
        #expect(everything.headers.values("Vary") == ["*"])
    }
}

import API
import HTTP
import Quarry
import QuarryTesting
import Testing

/// Errors the HTTP layer raises before any handler runs, shaped by the surface the path belongs to.
/// The routes themselves are covered by the scenario tables (`Scenarios/`), in process and live.
@Suite struct AppScenarioTests {
    @Test func httpLayerErrorsTakeTheShapeOfTheSurface() {
        let head = { (path: String) in
            RequestHead(method: .get, target: path, version: .http1_1, headers: HTTPFields(), keepAlive: true, expectsContinue: false)
        }
        let directory = try? TemporaryDirectory("quarry-api")
        defer { directory?.remove() }
        guard let directory, let services = try? Services(dataDirectory: directory.path, settings: TestDatabases.settings()) else {
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
        #expect(Self.text(studio) == "{\"error\":{\"code\":\"PAYLOAD_TOO_LARGE\",\"message\":\"too big\"},\"status\":\"error\"}")
        #expect(Self.text(plain) == "{\"error\":\"too big\"}")
        // JTheta's SDK paths sit under /api/ but keep JTheta's shape: literal routes win over the Studio prefix.
        #expect(Self.text(jtheta) == "{\"detail\":\"too big\"}")
        #expect(Self.text(sdk) == "{\"detail\":\"too big\"}")
        #expect(Self.text(unparsed) == "{\"error\":\"bad \\\"quote\\\"\\n\"}")
    }

    private static func text(_ response: Response) -> String {
        if case .bytes(let bytes) = response.body { return String(decoding: bytes, as: UTF8.self) }
        return ""
    }
}

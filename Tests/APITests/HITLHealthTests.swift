import API
import HTTP
import Quarry
import QuarryTesting
import Testing

/// `GET /v1/health` answers the spec's `DOWN` with 503 when the database cannot be used, before any
/// key is checked (checking one needs the database). The scenario tables cover the healthy answers.
@Suite struct HITLHealthTests {
    @Test func healthIsDownWith503OnceTheDatabaseIsClosed() throws {
        let directory = try TemporaryDirectory("quarry-health")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
        defer { services.close() }
        let key = try services.accounts.create(name: "monitor").key
        let transport = InProcessTransport(app: App(services: services, configuration: App.Configuration()), limits: Limits())
        services.database.close()
        for headers in [[], [(name: "Authorization", value: "api_key \(key)")]] {
            let response = try transport.send(TransportRequest(method: .get, target: "/v1/health", headers: headers, body: []))
            #expect(response.status == 503 && response.text == #"{"status":"DOWN"}"#)
        }
    }
}

import API
import HTTP
import Quarry
import QuarryTesting
import Testing

/// One surface table's two servers, configured alike: `App` over `Services` in this process, and the
/// `quarry` binary started once for the table. Beside them, the file site HITL URLs point at and a
/// folder for local imports. Started around a table's suite by `.scenarioServers`.
final class ScenarioServers: Sendable {
    @TaskLocal static var current: ScenarioServers?

    static let adminKey = "scenario-admin"
    /// The only private address Quarry may fetch from: the file site's.
    static let allowedURLs = "127.0.0.1/32"
    static let egressIP = "203.0.113.7"
    /// Small enough for a scenario to send a larger body; large enough for every fixture.
    static let maxUploadBytes = 256 * 1024

    let inProcess: InProcessTransport
    let live: LiveTransport
    /// Values every scenario's placeholders may use besides its own captures.
    let constants: [String: String]
    private let services: Services
    private let server: ServerProcess
    private let site: FileSite
    private let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory("quarry-scenarios")
        let importRoot = try Fixtures.importRoot(in: directory)
        site = try FileSite()
        var settings = Services.Settings()
        settings.addressPolicy = try AddressPolicy(setting: Self.allowedURLs)
        settings.importRoot = importRoot
        settings.webhookBody = App.webhookBody  // as `quarry serve` sets it
        services = try Services(dataDirectory: "\(directory.path)/data", settings: TestDatabases.settings(settings))
        let configuration = App.Configuration(adminKey: Self.adminKey, maxUploadBytes: Self.maxUploadBytes, egressIP: Self.egressIP)
        inProcess = InProcessTransport(app: App(services: services, configuration: configuration), limits: configuration.limits)
        server = try ServerProcess(environment: [
            "QUARRY_ADMIN_KEY": Self.adminKey, "QUARRY_ALLOW_PRIVATE_URLS": Self.allowedURLs, "QUARRY_IMPORT_ROOT": importRoot,
            "QUARRY_EGRESS_IP": Self.egressIP, "QUARRY_MAX_UPLOAD_BYTES": String(Self.maxUploadBytes),
        ].merging(try TestDatabases.serverEnvironment()) { $1 })
        live = LiveTransport(port: server.port)
        constants = ["admin": Self.adminKey, "site": site.url, "import_root": importRoot]
    }

    func transport(_ kind: TransportKind) -> any Transport {
        switch kind {
        case .inProcess: inProcess
        case .live: live
        }
    }

    func stop() {
        server.stop()
        services.close()
        site.stop()
        directory.remove()
    }
}

/// Starts a table's servers once around its whole suite, and stops them after its last scenario.
struct ScenarioServersTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let servers = try ScenarioServers()
        defer { servers.stop() }
        try await ScenarioServers.$current.withValue(servers) { try await function() }
    }
}

extension Trait where Self == ScenarioServersTrait {
    static var scenarioServers: Self { Self() }
}

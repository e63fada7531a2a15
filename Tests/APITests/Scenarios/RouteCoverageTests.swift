import API
import HTTP
import Quarry
import QuarryTesting
import Testing

/// Every scenario table, by surface.
enum ScenarioTables {
    static let all: [(surface: String, scenarios: [Scenario])] = [
        ("admin and system", AdminSystemScenarios.table),
        ("HITL v1", HITLScenarios.table),
        ("JTheta", JThetaScenarios.table),
        ("worker", WorkerScenarios.table),
        ("workbench and dashboard", BrowserAppScenarios.table),
        ("Studio", StudioScenarios.table),
    ]
}

/// Every route the app registers is requested by some scenario, with a success and (where the route
/// documents any) an error: a route added without a scenario fails here.
@Suite struct RouteCoverageTests {
    /// Routes that document no error: they answer everyone alike.
    static let withoutErrors: Set<String> = ["GET /healthz", "GET /workbench/", "GET /dashboard/",
                                             "POST /workbench/signout", "POST /dashboard/signout"]

    @Test func everyRouteHasASuccessAndAnErrorScenario() throws {
        let directory = try TemporaryDirectory("quarry-routes")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
        defer { services.close() }
        let router = App(services: services, configuration: App.Configuration(adminKey: "routes")).router

        var succeeded = Set<String>()
        var failed = Set<String>()
        for (_, scenarios) in ScenarioTables.all {
            for step in scenarios.flatMap(\.steps) {
                guard let route = Self.route(of: step, in: router) else { continue }
                if step.status < 400 { succeeded.insert(route) } else { failed.insert(route) }
            }
        }
        let routes = router.routes.map { "\($0.method.rawValue) \($0.pattern)" }
        #expect(routes.count > 80, "the router lists its routes")
        for route in routes {
            #expect(succeeded.contains(route), "no scenario succeeds at \(route)")
            #expect(failed.contains(route) || Self.withoutErrors.contains(route), "no scenario gets an error from \(route)")
        }
    }

    /// The registered pattern a step's request reaches: its placeholders stand for one path segment
    /// each, so a stand-in segment routes it as the filled path will. Nil for paths no route takes.
    static func route(of step: Step, in router: Router) -> String? {
        let path = String(step.path.prefix { $0 != "?" })
        let standIn = Placeholders(values: [:]).sketch(path, standIn: "placeholder")
        guard case .found(let route, _) = router.match(step.method, path: standIn) else { return nil }
        return "\(route.method.rawValue) \(route.pattern)"
    }
}

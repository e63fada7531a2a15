import API
import Foundation
import HTTP
import Quarry
import QuarryTesting
import Testing

/// Every route the router knows is in one of the OpenAPI documents under Resources/openapi/, and every
/// operation a document describes is a route: the documents cannot drift from the server.
struct OpenAPIDocumentsTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Resources/openapi").path

    static func routes() throws -> Set<String> {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-openapi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let services = try Services(dataDirectory: data, settings: TestDatabases.settings())
        defer { services.close() }
        let app = App(services: services, configuration: App.Configuration(adminKey: "admin"))
        return Set(app.router.routes.map { "\($0.method.rawValue) \($0.pattern)" })
    }

    static func documented() throws -> [String: Set<String>] {
        var found: [String: Set<String>] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name)"))
            let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0", "\(name)")
            let paths = try #require(document["paths"] as? [String: [String: Any]], "\(name) has no paths")
            for (path, operations) in paths {
                for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                    found[name, default: []].insert("\(method.uppercased()) \(path)")
                }
            }
        }
        return found
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let routes = try Self.routes()
        let documents = try Self.documented()
        let documented = documents.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        #expect(Set(documents.keys) == ["jtheta.json", "hitl.json", "studio.json", "worker.json", "admin.json"])
        let missing = routes.subtracting(documented).sorted(), extra = documented.subtracting(routes).sorted()
        #expect(missing.isEmpty, "routes no document describes: \(missing)")
        #expect(extra.isEmpty, "documented operations the server does not have: \(extra)")
    }
}

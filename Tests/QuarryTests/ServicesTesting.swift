import Quarry
import QuarryTesting

/// Runs `body` with the services of a fresh data directory, closed and removed afterwards.
func withServices<T>(_ name: String, settings: Services.Settings = Services.Settings(), _ body: (Services) throws -> T) throws -> T {
    let directory = try TemporaryDirectory(name)
    defer { directory.remove() }
    let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings(settings))
    defer { services.close() }
    return try body(services)
}

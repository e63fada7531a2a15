import Foundation
import Quarry
import Storage

/// The database the tests' `Services` and `quarry` processes use. Unless told otherwise, SQLite in
/// each test's data directory, as `quarry` does without `QUARRY_DATABASE_URL`. With
/// `QUARRY_TEST_POSTGRES_URL` set to the URL of a superuser on a running PostgreSQL server (as
/// Tests/postgres/with-postgres.sh sets it), each call here makes a new database on that server,
/// so the domain and API suites run unchanged on PostgreSQL, each test on a database of its own.
///
/// The databases are not dropped: DROP DATABASE waits for (or, forced, cuts) every connection, and
/// tests close their `Services` at various points; the server and all of them go when the run ends.
public enum TestDatabases {
    /// `QUARRY_TEST_POSTGRES_URL`, a `postgres://` URL; nil (or empty) for SQLite.
    public static let postgresURL: String? = ProcessInfo.processInfo.environment["QUARRY_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// True when the tests run on PostgreSQL: for `.enabled(if: !TestDatabases.onPostgres, …)` on tests
    /// about SQLite itself.
    public static var onPostgres: Bool { postgresURL != nil }

    /// `base`, with a new PostgreSQL database when the tests run on PostgreSQL. A test that opens its
    /// data directory again (a restart) passes the same settings again, so it reopens the same database.
    public static func settings(_ base: Services.Settings = .init()) throws -> Services.Settings {
        var settings = base
        if onPostgres { settings.databaseURL = try freshURL() }
        return settings
    }

    /// The environment that points a `quarry` process at a new database (`QUARRY_DATABASE_URL`); empty
    /// on SQLite, where the process uses its data directory.
    public static func serverEnvironment() throws -> [String: String] {
        onPostgres ? ["QUARRY_DATABASE_URL": try freshURL()] : [:]
    }

    /// Makes a new, empty database on the server and answers its URL: the admin URL with the path
    /// naming the new database, the credentials and query parameters kept.
    public static func freshURL() throws -> String {
        guard let admin = postgresURL else { throw Failure(description: "QUARRY_TEST_POSTGRES_URL is not set") }
        guard var components = URLComponents(string: admin), ["postgres", "postgresql"].contains(components.scheme ?? "") else {
            throw Failure(description: "QUARRY_TEST_POSTGRES_URL must be a postgres:// URL, not \(admin)")
        }
        let name = "quarry_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // A connection of its own rather than a `Database`: CREATE DATABASE cannot run inside a
        // transaction, and every statement through `Database` runs in one.
        try PostgresConnection(url: admin).execute("CREATE DATABASE \(name)")
        components.path = "/\(name)"
        guard let url = components.string else { throw Failure(description: "cannot form a URL for database \(name) from \(admin)") }
        return url
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }
}

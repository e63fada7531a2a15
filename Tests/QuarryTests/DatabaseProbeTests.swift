import Foundation
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// The health probe behind `Services.isHealthy`: it reads and writes the database, leaves nothing
/// behind, fails once the database cannot be used, and reuses only a pass, for its lifetime.
@Suite struct DatabaseProbeTests {
    @Test(.enabled(if: !TestDatabases.onPostgres, "measures SQLite's write-ahead log, which PostgreSQL has no file of"))
    func aProbePassesOnAUsableDatabaseAndWritesNothingDurable() throws {
        try withServices("quarry-probe") { services in
            let probe = DatabaseProbe(database: services.database, lifetime: .zero)
            let wal = (services.database as! SQLiteDatabase).path + "-wal"
            let before = try Self.size(wal)
            #expect(probe.check())
            // The write was rolled back before anything reached the log.
            #expect(try Self.size(wal) == before)
            #expect(!probe.passedRecently)
        }
    }

    @Test func aClosedDatabaseFailsEveryProbeAndAFailureIsNeverReused() throws {
        try withServices("quarry-probe") { services in
            let probe = DatabaseProbe(database: services.database)
            #expect(probe.check() && probe.passedRecently)
            services.database.close()
            // Within the lifetime the pass answers; a fresh probe finds the database closed.
            #expect(probe.check())
            #expect(!DatabaseProbe(database: services.database).check())
            let fresh = DatabaseProbe(database: services.database, lifetime: .zero)
            #expect(!fresh.check() && !fresh.check() && !fresh.passedRecently)
        }
    }

    @Test func servicesRememberAPassingProbeForAMoment() throws {
        try withServices("quarry-probe") { services in
            #expect(!services.wasRecentlyHealthy)
            #expect(services.isHealthy && services.wasRecentlyHealthy)
        }
    }

    private static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }
}

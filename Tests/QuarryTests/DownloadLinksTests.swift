import Foundation
@testable import Quarry
import QuarryTesting
import Testing

struct DownloadLinksTests {
    @Test func linksAreSignedExpireAndSurviveARestart() throws {
        let directory = try TemporaryDirectory("quarry-links")
        defer { directory.remove() }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let settings = try TestDatabases.settings()
        var services = try Services(dataDirectory: directory.path, settings: settings)
        let link = services.exports.links.link(exportID: "export-1", fileName: "a b.zip", now: now)
        #expect(link.path.hasPrefix("/downloads/export-1/a%20b.zip?expires=\(link.expires)&signature="))
        let signature = String(link.path.split(separator: "=").last!)
        #expect(services.exports.links.check(exportID: "export-1", expires: link.expires, signature: signature, now: now) == .valid)
        #expect(services.exports.links.check(exportID: "export-2", expires: link.expires, signature: signature, now: now) == .forged)
        #expect(services.exports.links.check(exportID: "export-1", expires: link.expires + 1, signature: signature, now: now) == .forged)
        #expect(services.exports.links.check(exportID: "export-1", expires: link.expires, signature: "zz", now: now) == .forged)
        let later = now.addingTimeInterval(services.exports.links.lifetime + 1)
        #expect(services.exports.links.check(exportID: "export-1", expires: link.expires, signature: signature, now: later) == .expired)
        services.close()
        // The signing secret is kept in the database, so links outlive a restart.
        services = try Services(dataDirectory: directory.path, settings: settings)
        defer { services.close() }
        #expect(services.exports.links.check(exportID: "export-1", expires: link.expires, signature: signature, now: now) == .valid)
    }
}

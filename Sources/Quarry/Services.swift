import Foundation
import Storage

/// Everything the APIs call into, opened from one data directory:
///
///     DATA/quarry.sqlite   the database (plus -wal and -shm beside it)
///     DATA/blobs/          content-addressed files (images, uploads, models)
///     DATA/blobs/tmp/      spooled request bodies; on the blobs' filesystem so they can be renamed in
public final class Services: Sendable {
    public let dataDirectory: String
    public let database: Database
    public let blobs: BlobStore
    public let accounts: AccountService

    public init(dataDirectory: String) throws {
        let root = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        self.dataDirectory = root
        database = try Database(path: "\(root)/quarry.sqlite", migrations: Migrations.all)
        blobs = try BlobStore(root: "\(root)/blobs")
        accounts = AccountService(database: database)
        Self.removeLeftovers(in: blobs.temporaryDirectory)
    }

    /// Nothing is in flight before the server starts, so whatever a crash left in the temp directory
    /// (half-received uploads, unfinished blob writes) is garbage.
    private static func removeLeftovers(in directory: String) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
        }
    }

    /// Where the HTTP layer spools large bodies.
    public var spoolDirectory: String { blobs.temporaryDirectory }

    public func close() {
        database.close()
    }
}

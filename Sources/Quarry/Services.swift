import Foundation
import Imaging
import Storage

/// Everything the APIs call into, opened from one data directory:
///
///     DATA/quarry.sqlite   the database (plus -wal and -shm beside it)
///     DATA/blobs/          content-addressed files (images, uploads, exports)
///     DATA/blobs/tmp/      spooled request bodies; on the blobs' filesystem so they can be renamed in
public final class Services: Sendable {
    public let dataDirectory: String
    public let database: Database
    public let blobs: BlobStore
    public let accounts: AccountService
    public let projects: ProjectService
    public let datasets: DatasetService
    public let workers: WorkerService
    public let labeling: LabelingService
    public let exports: ExportService
    /// How old an unreferenced blob must be before it is collected: a blob is written before the
    /// row that refers to it commits, and must survive that gap.
    public let blobGracePeriod: Duration

    public init(dataDirectory: String, imageLimits: ImageLimits = ImageLimits(), blobGracePeriod: Duration = .seconds(3600)) throws {
        let root = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        self.dataDirectory = root
        database = try Database(path: "\(root)/quarry.sqlite", migrations: Migrations.all)
        blobs = try BlobStore(root: "\(root)/blobs")
        accounts = AccountService(database: database)
        projects = ProjectService(database: database)
        datasets = DatasetService(database: database, blobs: blobs, imageLimits: imageLimits)
        workers = WorkerService(database: database)
        labeling = LabelingService(database: database)
        exports = ExportService(database: database, blobs: blobs, links: try DownloadLinks(database: database))
        self.blobGracePeriod = blobGracePeriod
        Self.removeLeftovers(in: blobs.temporaryDirectory)
    }

    /// Where the HTTP layer spools large bodies.
    public var spoolDirectory: String { blobs.temporaryDirectory }

    /// Removes blobs no row refers to (older than the grace period). Returns how many went.
    @discardableResult
    public func collectBlobs() throws -> Int {
        let referenced = try database.read { db in
            try db.query("SELECT blob FROM images UNION SELECT blob FROM exports").compactMap { BlobID(hex: try $0.string("blob")) }
        }
        return try blobs.collectGarbage(referenced: Set(referenced), gracePeriod: blobGracePeriod)
    }

    public func close() {
        database.close()
    }

    /// Nothing is in flight before the server starts, so whatever a crash left in the temp directory
    /// (half-received uploads, unfinished blob writes) is garbage.
    private static func removeLeftovers(in directory: String) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files {
            try? FileManager.default.removeItem(atPath: "\(directory)/\(file)")
        }
    }
}

import Foundation
import Storage

/// Disk use of the data directory and of the filesystem it is on.
public struct WorkspaceStats: Sendable {
    public let dataDirectory: String
    public let databaseBytes: Int
    /// Bytes of stored files that rows refer to (images, job files, exports), from the database.
    public let storedFileBytes: Int
    public let diskTotalBytes: Int
    public let diskFreeBytes: Int
    public let projects: Int
    public let images: Int
}

extension Services {
    public func workspace(accountID: String) throws -> WorkspaceStats {
        let (projects, images, stored) = try database.read { db -> (Int, Int, Int) in
            func count(_ sql: String) throws -> Int {
                if case .integer(let n) = try db.scalar(sql, [accountID]) { return Int(n) }
                return 0
            }
            return (try count("SELECT COUNT(*) FROM projects WHERE account_id = ?"),
                    try count("SELECT COALESCE(SUM(d.image_count), 0) FROM datasets d JOIN projects p ON p.id = d.project_id WHERE p.account_id = ?"),
                    try count("""
                        SELECT COALESCE((SELECT SUM(i.size) FROM images i JOIN datasets d ON d.id = i.dataset_id JOIN projects p ON p.id = d.project_id
                                         WHERE p.account_id = ?1), 0)
                             + COALESCE((SELECT SUM(f.size) FROM job_files f JOIN tasks t ON t.id = f.task_id JOIN projects p ON p.id = t.project_id
                                         WHERE p.account_id = ?1), 0)
                             + COALESCE((SELECT SUM(size) FROM exports WHERE account_id = ?1), 0)
                        """))
        }
        let database = try self.database.storedBytes()
        var filesystem = statvfs()
        let measured = statvfs(dataDirectory, &filesystem) == 0
        return WorkspaceStats(dataDirectory: dataDirectory, databaseBytes: database, storedFileBytes: stored,
                              diskTotalBytes: measured ? Int(filesystem.f_blocks) * Int(filesystem.f_frsize) : 0,
                              diskFreeBytes: measured ? Int(filesystem.f_bavail) * Int(filesystem.f_frsize) : 0,
                              projects: projects, images: images)
    }

    /// True when the database can be read and written (`DatabaseProbe`: a read, and a write rolled back).
    public var isHealthy: Bool { databaseProbe.check() }

    /// True when the database passed a probe a moment ago, so that `isHealthy` reads nothing: cheap
    /// handlers then answer on the event loop.
    public var wasRecentlyHealthy: Bool { databaseProbe.passedRecently }
}

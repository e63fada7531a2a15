import Quarry

/// The workspace's disk use as `GET /api/system/workspace` shows it (docs/studio.md, "System").
struct WorkspaceDocument: Encodable {
    let data_dir: String
    let database_bytes: Int
    let stored_file_bytes: Int
    let disk_total_bytes: Int
    let disk_free_bytes: Int
    let projects: Int
    let images: Int

    init(_ stats: WorkspaceStats) {
        (data_dir, database_bytes, stored_file_bytes) = (stats.dataDirectory, stats.databaseBytes, stats.storedFileBytes)
        (disk_total_bytes, disk_free_bytes) = (stats.diskTotalBytes, stats.diskFreeBytes)
        (projects, images) = (stats.projects, stats.images)
    }
}

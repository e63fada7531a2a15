import Imaging
import Storage

/// The SQL for datasets and images. Datasets are reached through their project's account, so a
/// dataset id from another account finds nothing.
enum DatasetStore {
    static func insert(projectID: String, name: String, license: String, createdAt: String, on db: any Connection) throws -> Int {
        try db.queryOne("INSERT INTO datasets (project_id, name, license, created_at) VALUES (?, ?, ?, ?) RETURNING id",
                        [projectID, name, license, createdAt])?.int("id") ?? 0
    }

    static func find(accountID: String, id: Int, on db: any Connection) throws -> Dataset? {
        try db.queryOne("""
            SELECT d.id, d.project_id, d.name, d.license, d.created_at, d.image_count
            FROM datasets d JOIN projects p ON p.id = d.project_id
            WHERE d.id = ? AND p.account_id = ?
            """, [id, accountID]).map(dataset)
    }

    static func list(projectID: String, on db: any Connection) throws -> [Dataset] {
        try db.query("""
            SELECT d.id, d.project_id, d.name, d.license, d.created_at, d.image_count
            FROM datasets d WHERE d.project_id = ? ORDER BY d.id
            """, [projectID]).map(dataset)
    }

    /// `className` is the class an import's folder gave the image, if any.
    static func insertImage(
        datasetID: Int, image: StoredImage, className: String? = nil, createdAt: String, on db: any Connection
    ) throws -> Int {
        try db.queryOne("""
            INSERT INTO images (dataset_id, blob, file_name, format, width, height, size, class_name, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, [datasetID, image.blob.hex, image.fileName, image.info.format.rawValue, image.info.width, image.info.height,
                  image.size, className, createdAt])?.int("id") ?? 0
    }

    static let imageColumns = "i.id, i.dataset_id, i.blob, i.file_name, i.format, i.width, i.height, i.size, i.created_at"

    static func images(datasetID: Int, on db: any Connection) throws -> [ImageRecord] {
        try db.query("SELECT \(imageColumns) FROM images i WHERE i.dataset_id = ? ORDER BY i.id", [datasetID]).map(image)
    }

    static func image(id: Int, on db: any Connection) throws -> ImageRecord? {
        try db.queryOne("SELECT \(imageColumns) FROM images i WHERE i.id = ?", [id]).map(image)
    }

    /// An image's class, which training reads: its approved tag.
    static func setClass(_ className: String, imageID: Int, on db: any Connection) throws {
        try db.run("UPDATE images SET class_name = ? WHERE id = ?", [className, imageID])
    }

    /// Every image of the project: its file name by its blob's hex, what an import checks duplicates against.
    /// Where several images hold one blob, the first stored names it: rows come in id order, as
    /// PostgreSQL promises no order without ORDER BY.
    static func fileNamesByBlob(projectID: String, on db: any Connection) throws -> [String: String] {
        var names: [String: String] = [:]
        for row in try db.query("""
            SELECT i.blob, i.file_name FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ? ORDER BY i.id
            """, [projectID]) {
            let blob = try row.string("blob")
            if names[blob] == nil { names[blob] = try row.string("file_name") }
        }
        return names
    }

    /// The blob image `imageID` is stored as, if there is such an image.
    static func blob(imageID: Int, on db: any Connection) throws -> BlobID? {
        try db.queryOne("SELECT blob FROM images WHERE id = ?", [imageID]).flatMap { BlobID(hex: try $0.string("blob")) }
    }

    static func image(_ row: Row) throws -> ImageRecord {
        let blobHex = try row.string("blob")
        guard let blob = BlobID(hex: blobHex), let format = ImageFormat(rawValue: try row.string("format")) else {
            throw StorageError.typeMismatch(column: "images.blob/format")
        }
        return ImageRecord(id: try row.int("id"), datasetID: try row.int("dataset_id"), blob: blob,
                           fileName: try row.string("file_name"), format: format, width: try row.int("width"),
                           height: try row.int("height"), size: try row.int("size"), createdAt: try row.string("created_at"))
    }

    private static func dataset(_ row: Row) throws -> Dataset {
        Dataset(id: try row.int("id"), projectID: try row.string("project_id"), name: try row.string("name"),
                license: try row.string("license"), createdAt: try row.string("created_at"), imageCount: try row.int("image_count"))
    }
}

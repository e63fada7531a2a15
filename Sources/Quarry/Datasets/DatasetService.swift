import Imaging
import Storage

/// Datasets and their images, always reached through the caller's account.
public struct DatasetService: Sendable {
    let database: any Database
    let intake: ImageIntake

    init(database: any Database, blobs: any BlobStore, imageLimits: ImageLimits) {
        self.database = database
        self.intake = ImageIntake(blobs: blobs, limits: imageLimits)
    }

    /// Creates a dataset in the account's project named `projectName` with the given images.
    /// Every image is checked before anything is stored; the rows go in in one transaction.
    public func create(accountID: String, projectName: String, name rawName: String, license: String,
                       files: [IncomingFile]) throws -> (dataset: Dataset, images: [ImageRecord]) {
        let name = try Validate.name(rawName, field: "dataset_name")
        let license = try Validate.text(license, field: "license", limit: 1000)
        // Look before the (possibly long) image checks and stores, as addImages does, so a wrong project
        // fails fast and leaves no files for the collector; the write below looks again, for a delete meanwhile.
        guard try database.read({ db in try ProjectStore.find(accountID: accountID, name: projectName, on: db) }) != nil else {
            throw ProjectError.notFound(projectName)
        }
        let stored = try intake.store(files)
        return try database.write { db in
            guard let project = try ProjectStore.find(accountID: accountID, name: projectName, on: db) else {
                throw ProjectError.notFound(projectName)
            }
            let now = Timestamp.now()
            let datasetID: Int
            do {
                datasetID = try DatasetStore.insert(projectID: project.id, name: name, license: license, createdAt: now, on: db)
            } catch let error as any DatabaseError where error.isUniqueConstraintViolation {
                throw DatasetError.nameTaken(name)
            }
            try stored.forEach { _ = try DatasetStore.insertImage(datasetID: datasetID, image: $0, createdAt: now, on: db) }
            guard let dataset = try DatasetStore.find(accountID: accountID, id: datasetID, on: db) else {
                throw DatasetError.notFound(datasetID)
            }
            return (dataset, try DatasetStore.images(datasetID: datasetID, on: db))
        }
    }

    /// Adds images to a dataset, which must belong to the account's project `projectName`.
    public func addImages(accountID: String, projectName: String, datasetID: Int,
                          files: [IncomingFile]) throws -> (dataset: Dataset, added: Int) {
        // Look before the (possibly long) image checks, so a wrong id fails fast.
        _ = try dataset(accountID: accountID, projectName: projectName, id: datasetID)
        let stored = try intake.store(files)
        return try database.write { db in
            guard let dataset = try Self.dataset(accountID: accountID, projectName: projectName, id: datasetID, on: db) else {
                throw DatasetError.notFound(datasetID)
            }
            let now = Timestamp.now()
            try stored.forEach { _ = try DatasetStore.insertImage(datasetID: dataset.id, image: $0, createdAt: now, on: db) }
            var updated = dataset
            updated.imageCount += stored.count
            return (updated, stored.count)
        }
    }

    /// The dataset with this id if it is in the account's project `projectName`.
    public func dataset(accountID: String, projectName: String, id: Int) throws -> Dataset {
        guard let dataset = try database.read({ db in try Self.dataset(accountID: accountID, projectName: projectName, id: id, on: db) })
        else { throw DatasetError.notFound(id) }
        return dataset
    }

    public func images(accountID: String, datasetID: Int) throws -> [ImageRecord] {
        try database.read { db in
            guard try DatasetStore.find(accountID: accountID, id: datasetID, on: db) != nil else { throw DatasetError.notFound(datasetID) }
            return try DatasetStore.images(datasetID: datasetID, on: db)
        }
    }

    static func dataset(accountID: String, projectName: String, id: Int, on db: any Connection) throws -> Dataset? {
        guard let dataset = try DatasetStore.find(accountID: accountID, id: id, on: db),
              let project = try ProjectStore.find(accountID: accountID, name: projectName, on: db),
              dataset.projectID == project.id else { return nil }
        return dataset
    }
}

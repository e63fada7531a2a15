import Quarry
import Storage

/// Where state and blobs live: `QUARRY_DATABASE_URL`, `QUARRY_BLOB_STORE` and the `QUARRY_S3_*` settings
/// a bucket needs. Every problem is named here, before anything is opened.
extension Configuration {
    static func databaseURL(_ url: String, setting: String) throws -> String {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
            throw Invalid(description: "\(setting) must be a postgres:// or postgresql:// URL (unset for SQLite in the data directory)")
        }
        return url
    }

    /// The data directory's files, unless `QUARRY_BLOB_STORE` names a bucket. `QUARRY_S3_*` without it
    /// is refused: it would say a bucket is in use when none is.
    static func blobStorage(_ reader: EnvironmentReader) throws -> BlobStorage {
        guard let url = reader.string("QUARRY_BLOB_STORE") else {
            let stray = ["QUARRY_S3_ENDPOINT", "QUARRY_S3_ACCESS_KEY_ID", "QUARRY_S3_SECRET_ACCESS_KEY"].filter { reader.string($0) != nil }
            guard stray.isEmpty else {
                throw Invalid(description: "\(stray.joined(separator: ", ")) set but QUARRY_BLOB_STORE is not: set it to s3://bucket/prefix to keep blobs in a bucket")
            }
            return .local
        }
        return try bucket(url, setting: "QUARRY_BLOB_STORE", reader)
    }

    /// The bucket `url` names (`s3://bucket/prefix`), reached with the `QUARRY_S3_*` settings.
    static func bucket(_ url: String, setting: String, _ reader: EnvironmentReader) throws -> BlobStorage {
        guard let location = S3BlobStore.Location(url: url) else {
            throw Invalid(description: "\(setting) must be s3://bucket or s3://bucket/prefix (no . or .. segments), not '\(url)'")
        }
        let region = reader.string("QUARRY_S3_REGION") ?? "us-east-1"
        let missing = ["QUARRY_S3_ACCESS_KEY_ID", "QUARRY_S3_SECRET_ACCESS_KEY"].filter { reader.string($0) == nil }
        guard missing.isEmpty else {
            throw Invalid(description: "\(setting) names a bucket, so \(missing.joined(separator: " and ")) must be set too")
        }
        let configuration = S3Client.Configuration(
            endpoint: reader.string("QUARRY_S3_ENDPOINT") ?? "https://s3.\(region).amazonaws.com", bucket: location.bucket,
            region: region, accessKeyID: reader.string("QUARRY_S3_ACCESS_KEY_ID") ?? "",
            secretAccessKey: reader.string("QUARRY_S3_SECRET_ACCESS_KEY") ?? "")
        do {
            // The endpoint and bucket are checked as the client will read them.
            _ = try S3Client(configuration)
        } catch {
            throw Invalid(description: "QUARRY_S3_ENDPOINT or \(setting): \(error)")
        }
        return .s3(configuration, location: location)
    }
}

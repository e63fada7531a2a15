import Storage

/// Where a deployment keeps its blobs (`QUARRY_BLOB_STORE`): files under the data directory, the
/// embedded default, or an S3-compatible bucket that every process of a deployment shares.
public enum BlobStorage: Sendable {
    case local
    /// `s3://bucket/prefix` (`location`), reached as `client` says (`QUARRY_S3_*`).
    case s3(S3Client.Configuration, location: S3BlobStore.Location)

    /// A bucket the store cannot use, said once at start-up in words an operator can act on.
    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens the store under `dataDirectory` (the blobs themselves, or the spool and local copies of
    /// a bucket's), checking that a bucket answers to its credentials.
    func open(dataDirectory: String, database: any Database, settings: Services.Settings) throws -> any BlobStore {
        switch self {
        case .local:
            return try LocalBlobStore(root: "\(dataDirectory)/blobs")
        case .s3(let configuration, let location):
            let name = "s3://\(location.bucket)/\(location.prefix) at \(configuration.endpoint)"
            do {
                let store = try S3BlobStore(client: S3Client(configuration), prefix: location.prefix,
                                            localRoot: "\(dataDirectory)/blob-cache", holds: DatabaseBlobHolds(database: database),
                                            holdDuration: settings.blobGracePeriod, cacheLimit: settings.blobCacheBytes)
                try store.verifyAccess()
                return store
            } catch let error as S3Error {
                throw Unusable(description: "the blob store \(name) cannot be used: \(error)\(Self.advice(error))")
            }
        }
    }

    private static func advice(_ error: S3Error) -> String {
        switch error.code {
        case "SignatureDoesNotMatch": " (check QUARRY_S3_SECRET_ACCESS_KEY)"
        case "InvalidAccessKeyId": " (check QUARRY_S3_ACCESS_KEY_ID)"
        case "NoSuchBucket": " (create the bucket, or check QUARRY_BLOB_STORE)"
        case "AuthorizationHeaderMalformed": " (check QUARRY_S3_REGION)"
        default: ""
        }
    }
}

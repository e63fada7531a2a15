import Storage
import Synchronization

/// Thumbnails made during an import, written to the database a few hundred at a time so an import
/// of any size holds only a few megabytes of them. Written before their images commit: should the
/// import fail, the orphans are removed with the next blob collection, and should a collection run
/// first, a missing thumbnail is simply made again on first request.
final class ThumbnailWriter: Sendable {
    private let database: Database
    private let pending = Mutex<[(image: BlobID, data: [UInt8])]>([])
    private static let batchSize = 256

    init(database: Database) {
        self.database = database
    }

    func add(image: BlobID, data: [UInt8]) {
        let full = pending.withLock { pending -> [(image: BlobID, data: [UInt8])]? in
            pending.append((image, data))
            guard pending.count >= Self.batchSize else { return nil }
            defer { pending = [] }
            return pending
        }
        if let full { write(full) }
    }

    func flush() {
        write(pending.withLock { pending in
            defer { pending = [] }
            return pending
        })
    }

    private func write(_ thumbnails: [(image: BlobID, data: [UInt8])]) {
        guard !thumbnails.isEmpty else { return }
        // A thumbnail that cannot be written now is made on first request instead.
        _ = try? database.write { db in
            for thumbnail in thumbnails { try Thumbnails.record(image: thumbnail.image, data: thumbnail.data, on: db) }
        }
    }
}

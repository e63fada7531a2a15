import Storage
import Synchronization

/// Thumbnails made during an import, written to the database a few hundred at a time so an import
/// of any size holds only a few megabytes of them, on a write queue so the decoding threads go on
/// while a batch waits for its commit. Written before their images commit: should the import fail,
/// the orphans are removed with the next blob collection, and should a collection run first, a
/// missing thumbnail is simply made again on first request.
final class ThumbnailWriter: Sendable {
    private let database: any Database
    private let pending = Mutex<[(image: BlobID, data: [UInt8])]>([])
    private let writes = WriteQueue(label: "quarry.thumbnails")
    private static let batchSize = 256

    init(database: any Database) {
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

    /// Writes what is left and returns once every thumbnail is written.
    func flush() {
        write(pending.withLock { pending in
            defer { pending = [] }
            return pending
        })
        writes.wait()
    }

    private func write(_ thumbnails: [(image: BlobID, data: [UInt8])]) {
        guard !thumbnails.isEmpty else { return }
        let database = database
        writes.submit {
            // A thumbnail that cannot be written now is made on first request instead.
            _ = try? database.write { db in
                for thumbnail in thumbnails { try ThumbnailStore.record(image: thumbnail.image, data: thumbnail.data, on: db) }
            }
        }
    }
}

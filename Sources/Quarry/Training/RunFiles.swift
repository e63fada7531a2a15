import Foundation
import Learn
import Storage

/// A run's checkpoints and the examples it froze when it first started, kept as blobs its row names
/// (`last_checkpoint_blob`, `best_checkpoint_blob`, `data_blob`), so that whichever process claims the
/// run next, on this machine or another, resumes it. Runs trained before they were blobs keep theirs as
/// files under `DATA/runs/<run>/`, read from there.
struct RunFiles: Sendable {
    let database: any Database
    let blobs: any BlobStore
    /// `DATA/runs`, where older runs' files are.
    let directory: String

    /// The run's checkpoint, or nil when it has none.
    func checkpoint(_ runID: String, _ which: RunCheckpoint) throws -> Checkpoint? {
        try checkpointBytes(runID, which).map { try CheckpointFile.checkpoint(from: $0, source: "\(runID)'s \(which.rawValue) checkpoint") }
    }

    /// The checkpoint's file as stored (`CheckpointFile`'s format), or nil when the run has none.
    func checkpointBytes(_ runID: String, _ which: RunCheckpoint) throws -> [UInt8]? {
        if let blob = try database.read({ db in try RunStore.checkpointBlob(runID, which, on: db) }) { return try blobs.read(blob) }
        // Read to its end, whatever its size says (a pipe says none).
        return FileHandle(forReadingAtPath: legacyPath(runID, which)).map { file in
            defer { try? file.close() }
            return Array(file.readDataToEndOfFile())
        }
    }

    func hasCheckpoint(_ runID: String, _ which: RunCheckpoint, on db: any Connection) throws -> Bool {
        try RunStore.checkpointBlob(runID, which, on: db) != nil || FileManager.default.fileExists(atPath: legacyPath(runID, which))
    }

    /// Stores `checkpoint` as a blob, to be named in the run's row by the caller's transaction
    /// (`RunStore.recordCheckpoints`): unnamed, it is collected after the grace period.
    func store(_ checkpoint: Checkpoint) throws -> BlobID {
        try blobs.put(CheckpointFile.bytes(of: checkpoint))
    }

    /// The examples the run froze, or nil before it first started.
    func frozenData(_ runID: String) throws -> [UInt8]? {
        if let blob = try database.read({ db in try RunStore.dataBlob(runID, on: db) }) { return try blobs.read(blob) }
        return FileManager.default.contents(atPath: "\(directory)/\(runID)/data.json").map(Array.init)
    }

    /// Freezes the run's examples: stored and named at once, kept by the first start only.
    func freeze(_ data: [UInt8], runID: String) throws {
        let blob = try blobs.put(data)
        try database.write { db in try RunStore.recordDataBlob(blob, runID: runID, on: db) }
    }

    /// Removes the files of a run trained before they were blobs; a blob goes with the next collection.
    func removeLegacyFiles(_ runID: String) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(runID)")
    }

    private func legacyPath(_ runID: String, _ which: RunCheckpoint) -> String { "\(directory)/\(runID)/\(which.rawValue).ckpt" }
}

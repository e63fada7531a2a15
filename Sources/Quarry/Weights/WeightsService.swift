import Crypto
import Foundation
import Learn
import Storage

/// Weights files experiments start from: an account's uploads, and the server's folder's files, which
/// every account sees. An upload is read whole and identified before anything is kept, so a refused
/// file leaves nothing; its bytes become a blob, referenced by its row.
public final class WeightsService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    /// The largest file taken (`QUARRY_MAX_WEIGHTS_BYTES`), uploaded or in the folder.
    let maxBytes: Int
    let folder: WeightsFolder

    init(database: any Database, blobs: any BlobStore, maxBytes: Int, folderPath: String?) {
        self.database = database
        self.blobs = blobs
        self.maxBytes = maxBytes
        folder = WeightsFolder(path: folderPath, maxBytes: maxBytes)
    }

    /// Keeps `file`, a file in the blob store's temp directory (a spooled upload), as the account's
    /// weights `name`. The upload takes the file over: it becomes the blob, or is removed when refused.
    public func upload(accountID: String, name: String, file: String) throws -> WeightsFile {
        var kept = false
        defer { if !kept { unlink(file) } }
        guard WeightsFile.isValidName(name) else { throw WeightsFileError.invalidName(name) }
        // Checked before a gigabyte is read; the row's unique name settles a race.
        let uploaded = try database.read { db in try WeightsStore.find(accountID: accountID, name: name, on: db) }
        guard uploaded == nil, folder.entry(named: name) == nil else { throw WeightsFileError.nameTaken(name) }
        let loaded = try LoadedWeights.read(path: file, maxBytes: maxBytes)
        let blob = try blobs.adopt(temporaryFile: file)
        kept = true
        let record = WeightsFile(name: name, format: loaded.format, fit: loaded.fit, tensorCount: loaded.tensors.count,
                                 parameterCount: loaded.tensors.parameterCount, sha256: loaded.sha256, byteCount: loaded.byteCount,
                                 source: .upload, createdAt: Timestamp.now())
        // Should this fail, the blob is unreferenced and collected after the grace period.
        try database.write { db in try WeightsStore.insert(record, accountID: accountID, blob: blob, on: db) }
        return record
    }

    /// Keeps `bytes` as the account's weights `name`, as `upload(accountID:name:file:)` does a file.
    public func upload(accountID: String, name: String, bytes: [UInt8]) throws -> WeightsFile {
        guard bytes.count <= maxBytes else { throw WeightsFileError.tooLarge(limit: maxBytes) }
        let file = "\(blobs.temporaryDirectory)/weights-\(SecureRandom.hex(bytes: 8))"
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return try upload(accountID: accountID, name: name, file: file)
    }

    /// The account's uploads and the folder's files, by name. An upload hides a folder's file of its
    /// name (one put in the folder after the upload): the name means the upload to this account.
    public func list(accountID: String) throws -> [WeightsFile] {
        let uploads = try database.read { db in try WeightsStore.list(accountID: accountID, on: db) }
        let uploaded = Set(uploads.map(\.name))
        return (uploads + folder.entries.map(\.file).filter { !uploaded.contains($0.name) }).sorted { $0.name < $1.name }
    }

    /// Removes the account's upload `name`; its file goes with the next blob collection. Another
    /// account's upload is not found; a folder's file is refused.
    public func delete(accountID: String, name: String) throws {
        let deleted = try database.write { db in try WeightsStore.delete(accountID: accountID, name: name, on: db) }
        guard !deleted else { return }
        throw folder.entry(named: name) == nil ? WeightsFileError.notFound(name) : WeightsFileError.inFolder(name)
    }

    /// The tensors of the weights `name` as this account sees them, read from the stored file (for a
    /// run that names them as `pretrained`). An upload was measured when it came: a limit lowered since
    /// does not lock it out.
    public func tensors(accountID: String, name: String) throws -> NamedTensors {
        if let upload = try database.read({ db in try WeightsStore.find(accountID: accountID, name: name, on: db) }) {
            return try LoadedWeights.read(blob: upload.blob, in: blobs, maxBytes: .max).tensors
        }
        guard let entry = folder.entry(named: name) else { throw WeightsFileError.notFound(name) }
        return try folder.tensors(of: entry, maxBytes: maxBytes)
    }
}

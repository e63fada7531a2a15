import Crypto
import Foundation
import Imaging
import Storage

/// Imports of images into a project from a ZIP upload or a server-side folder. Each is a job of the job
/// runner, one import at a time, its files checked and thumbnailed on every core; the images
/// go into a new dataset in one transaction at the end, so an import that fails leaves nothing.
public final class ImportService: Sendable {
    let database: any Database
    let blobs: any BlobStore
    let limits: ImageLimits
    let zipLimits: ZipLimits
    /// The only folder local imports may read (`QUARRY_IMPORT_ROOT`), resolved; nil disables them.
    let importRoot: String?
    private let jobs: JobRunner

    init(database: any Database, blobs: any BlobStore, limits: ImageLimits, zipLimits: ZipLimits, importRoot: String?, jobs: JobRunner) {
        self.jobs = jobs
        self.database = database
        self.blobs = blobs
        self.limits = limits
        self.zipLimits = zipLimits
        self.importRoot = importRoot.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
        jobs.register(.importJob) { [self] context in try perform(context.id) }
    }

    /// Imports a ZIP. `archive` is a file in the blob store's temp directory; the import takes it over,
    /// keeping it as a blob while the import waits or goes, so that any process can take the import.
    /// `format` names the files' layout; nil detects it.
    public func importArchive(accountID: String, projectID: String, archive: String, format: ImportFormat? = nil) throws -> ImportJob {
        let project = try project(accountID: accountID, id: projectID)
        let owned = "\(blobs.temporaryDirectory)/import-\(SecureRandom.hex(bytes: 8)).zip"
        guard rename(archive, owned) == 0 else { throw ImportError.invalidArchive("the upload could not be kept") }
        let blob: BlobID
        do {
            do {
                _ = try ZipReader(path: owned, limits: zipLimits)
            } catch {
                throw ImportError.invalidArchive(error.description)
            }
            blob = try blobs.adopt(temporaryFile: owned)
        } catch {
            unlink(owned)
            throw error
        }
        return try start(project: project, source: .archive(blob), format: format)
    }

    /// Imports a folder under the import root (a path relative to it, or absolute inside it).
    public func importFolder(accountID: String, projectID: String, path: String, format: ImportFormat? = nil) throws -> ImportJob {
        let resolved = try folder(path)
        let project = try project(accountID: accountID, id: projectID)
        return try start(project: project, source: .folder(resolved), format: format)
    }

    /// `path` resolved inside the import root, or why not.
    private func folder(_ path: String) throws -> String {
        guard let root = importRoot else { throw ImportError.localImportsDisabled }
        let joined = path.hasPrefix("/") ? path : "\(root)/\(path)"
        let resolved = URL(fileURLWithPath: joined).resolvingSymlinksInPath().path
        // A resolved path ends in "/" only when it is "/", the whole file system; any other root gets one added.
        let folderPrefix = root.hasSuffix("/") ? root : root + "/"
        guard resolved == root || resolved.hasPrefix(folderPrefix) else { throw ImportError.outsideImportRoot(path) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), isFolder.boolValue else {
            throw ImportError.notAFolder(path)
        }
        return resolved
    }

    public func job(accountID: String, projectID: String, id: String) throws -> ImportJob {
        try database.read { db in
            guard let job = try ImportJobStore.find(id: id, accountID: accountID, projectID: projectID, on: db) else {
                throw ImportError.notFound(id)
            }
            return job
        }
    }

    /// The project's imports; an unknown project, or another account's, is not found, as on every route under it.
    public func jobs(accountID: String, projectID: String) throws -> [ImportJob] {
        try database.read { db in
            _ = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try ImportJobStore.list(accountID: accountID, projectID: projectID, on: db)
        }
    }

    private func project(accountID: String, id: String) throws -> Project {
        try database.read { db in try ProjectStore.owned(accountID: accountID, id: id, on: db) }
    }

    private func start(project: Project, source: ImportJobStore.Source, format: ImportFormat?) throws -> ImportJob {
        let id = ID.make("import")
        try database.write { db in
            try ImportJobStore.insert(id: id, accountID: project.accountID, projectID: project.id, source: source, format: format, on: db)
        }
        jobs.submit(.importJob, id: id)
        return try job(accountID: project.accountID, projectID: project.id, id: id)
    }

    /// Performs import `id` from its row, in whichever process claimed it: the archive read from the blob
    /// store (a local copy), or the folder checked against this process's import root again.
    private func perform(_ id: String) throws -> JobRunner.Ending {
        guard let (project, source, format) = try database.read({ db -> (Project, ImportJobStore.Source, ImportFormat?)? in
            guard let (projectID, source, format) = try ImportJobStore.source(of: id, on: db),
                  let project = try ProjectStore.find(id: projectID, on: db) else { return nil }
            return (project, source, format)
        }) else { throw ImportError.notFound(id) }
        let run = ImportRun(service: self, jobID: id, project: project)
        switch source {
        case .folder(let path):
            let resolved = try folder(path)
            return try run.run { try ImportSource.folder(resolved, format: format) }
        case .archive(let blob):
            let (path, cleanup) = try localFile(blob)
            defer { cleanup() }
            let reader = try ZipReader(path: path, limits: zipLimits)
            return try run.run { try ImportSource.zip(reader, format: format) }
        }
    }

    /// A file holding the blob: the store's own, or, for the few bytes a store keeps inline, a temporary copy.
    private func localFile(_ blob: BlobID) throws -> (path: String, cleanup: () -> Void) {
        switch try blobs.contents(of: blob) {
        case .file(let path): return (path, {})
        case .bytes(let bytes):
            let path = "\(blobs.temporaryDirectory)/import-\(SecureRandom.hex(bytes: 8)).zip"
            try AtomicFile.write(bytes, to: path)
            return (path, { unlink(path) })
        }
    }
}

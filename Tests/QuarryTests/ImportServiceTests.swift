import Foundation
@testable import Quarry
import QuarryTesting
import Testing

/// `ImportService`: ZIP uploads and folders under the import root, each queued as a job of the job
/// runner and listed per project; local imports held inside the root, and another account's absent.
/// (What an import does with its files when it fails is `ImportRunTests`'.)
@Suite struct ImportServiceTests {
    /// Runs `body` with services whose import root is a fresh folder, and that folder.
    private static func withImportRoot(_ body: (Services, String) throws -> Void) throws {
        let root = try TemporaryDirectory("quarry-import-root")
        defer { root.remove() }
        var settings = Services.Settings()
        settings.importRoot = root.path
        try withServices("quarry-imports", settings: settings) { try body($0, root.path) }
    }

    /// Writes `files` (paths relative to `folder`), making their folders.
    private static func write(_ files: [String: [UInt8]], under folder: String) throws {
        for (path, bytes) in files {
            let url = URL(fileURLWithPath: "\(folder)/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
    }

    /// The job as it ended, after waiting for it through the job runner's reports.
    private static func finished(_ job: ImportJob, _ reports: JobReports, accountID: String, in services: Services,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> ImportJob {
        #expect(reports.wait(job.id, until: { !$0.isActive }) == .completed, sourceLocation: sourceLocation)
        return try services.imports.job(accountID: accountID, projectID: job.projectID, id: job.id)
    }

    /// The imports' files left in the blob store's temp directory.
    private static func leftovers(in services: Services) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: services.spoolDirectory).filter { $0.hasPrefix("import-") }
    }

    @Test func anUploadedArchiveIsImportedByAJob() throws {
        try withServices("quarry-imports") { services in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            let reports = JobReports(services.runs.jobs, kind: .importJob)
            let cat = try TestImages.png(0)
            let upload = "\(services.spoolDirectory)/upload.zip"
            try TestImages.zip([("cat/0.png", cat), ("cat/1.png", try TestImages.png(1)), ("dog/2.jpg", try TestImages.jpeg(2)),
                                ("cat/copy.png", cat), ("notes.txt", Array("not an image".utf8))], at: upload)

            let started = try services.imports.importArchive(accountID: account, projectID: project.id, archive: upload)
            #expect(started.source == "upload" && started.projectID == project.id && started.id.hasPrefix("import-"))
            #expect(!FileManager.default.fileExists(atPath: upload))
            let job = try Self.finished(started, reports, accountID: account, in: services)
            #expect(reports.statuses(of: started.id) == [.running, .completed])
            #expect(job.total == 5 && job.processed == 5 && job.imported == 3 && job.error == nil && job.finishedAt != nil)
            #expect(job.duplicates == [ImportJob.Duplicate(name: "cat/copy.png", duplicateOf: "cat/0.png")])
            #expect(job.skipped == [ImportJob.Skipped(name: "notes.txt", reason: "not a PNG or JPEG image")])

            let images = try services.datasets.images(accountID: account, datasetID: try #require(job.datasetID))
            #expect(images.map(\.fileName).sorted() == ["0.png", "1.png", "2.jpg"])
            #expect(try services.projects.classes(projectID: project.id) == ["cat", "dog"].map { LabelClass(name: $0, type: .tag) })
            #expect(try services.rowCount("thumbnails") == 3)
            #expect(try Self.leftovers(in: services).isEmpty)
        }
    }

    @Test func aFolderUnderTheImportRootIsImportedByAJobAndAgainFindsOnlyDuplicates() throws {
        try Self.withImportRoot { services, root in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            let reports = JobReports(services.runs.jobs, kind: .importJob)
            try Self.write(["photos/cat/a.png": try TestImages.png(0), "photos/dog/b.jpg": try TestImages.jpeg(1)], under: root)

            let started = try services.imports.importFolder(accountID: account, projectID: project.id, path: "photos")
            #expect(started.source == "local")
            let job = try Self.finished(started, reports, accountID: account, in: services)
            #expect(job.imported == 2 && job.duplicates.isEmpty && job.skipped.isEmpty)
            #expect(try services.datasets.images(accountID: account, datasetID: try #require(job.datasetID)).map(\.fileName) == ["a.png", "b.jpg"])
            #expect(try services.projects.classes(projectID: project.id).map(\.name) == ["cat", "dog"])

            // An absolute path inside the root is taken too; every file is in the project already, so no dataset is made.
            let again = try Self.finished(try services.imports.importFolder(accountID: account, projectID: project.id, path: "\(root)/photos"),
                                          reports, accountID: account, in: services)
            #expect(again.imported == 0 && again.datasetID == nil)
            #expect(again.duplicates == [.init(name: "cat/a.png", duplicateOf: "a.png"), .init(name: "dog/b.jpg", duplicateOf: "b.jpg")])
            #expect(try services.rowCount("datasets") == 1)
        }
    }

    @Test func importsAreListedPerProjectAndAnotherAccountFindsNone() throws {
        try Self.withImportRoot { services, root in
            let account = try services.newAccount("owner")
            let stranger = try services.newAccount("stranger")
            let pets = try services.projects.create(accountID: account, name: "pets")
            let birds = try services.projects.create(accountID: account, name: "birds")
            let imports = services.imports
            let reports = JobReports(services.runs.jobs, kind: .importJob)
            try Self.write(["photos/a.png": try TestImages.png(0)], under: root)
            let upload = "\(services.spoolDirectory)/upload.zip"
            try TestImages.zip([("b.png", try TestImages.png(1))], at: upload)

            let local = try Self.finished(try imports.importFolder(accountID: account, projectID: pets.id, path: "photos"), reports,
                                          accountID: account, in: services)
            let uploaded = try Self.finished(try imports.importArchive(accountID: account, projectID: pets.id, archive: upload), reports,
                                             accountID: account, in: services)
            let elsewhere = try Self.finished(try imports.importFolder(accountID: account, projectID: birds.id, path: "photos"), reports,
                                              accountID: account, in: services)
            // Listed by creation time, to the millisecond: two made within one may come in either order.
            #expect(try Set(imports.jobs(accountID: account, projectID: pets.id).map(\.id)) == [local.id, uploaded.id])
            #expect(try imports.jobs(accountID: account, projectID: birds.id).map(\.id) == [elsewhere.id])
            #expect(throws: ImportError.notFound(local.id)) { try imports.job(accountID: account, projectID: birds.id, id: local.id) }
            #expect(throws: ProjectError.notFound("proj-ghost")) { try imports.jobs(accountID: account, projectID: "proj-ghost") }

            #expect(throws: ProjectError.notFound(pets.id)) { try imports.jobs(accountID: stranger, projectID: pets.id) }
            #expect(throws: ImportError.notFound(local.id)) { try imports.job(accountID: stranger, projectID: pets.id, id: local.id) }
            #expect(throws: ProjectError.notFound(pets.id)) { try imports.importFolder(accountID: stranger, projectID: pets.id, path: "photos") }
            let theirs = "\(services.spoolDirectory)/theirs.zip"
            try TestImages.zip([("c.png", try TestImages.png(2))], at: theirs)
            #expect(throws: ProjectError.notFound(pets.id)) { try imports.importArchive(accountID: stranger, projectID: pets.id, archive: theirs) }
            #expect(try imports.jobs(accountID: account, projectID: pets.id).count == 2)
            #expect(try services.rowCount("import_jobs") == 3)
        }
    }

    @Test func aLocalImportReadsNothingOutsideTheImportRoot() throws {
        try Self.withImportRoot { services, root in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            let imports = services.imports
            let outside = try TemporaryDirectory("quarry-outside")
            defer { outside.remove() }
            try Self.write(["secret.png": try TestImages.png(9)], under: outside.path)
            try Self.write(["photos/a.png": try TestImages.png(0), "file.png": try TestImages.png(1)], under: root)
            let files = FileManager.default
            try files.createSymbolicLink(atPath: "\(root)/link", withDestinationPath: outside.path)
            try files.createSymbolicLink(atPath: "\(root)/photos/secret.png", withDestinationPath: "\(outside.path)/secret.png")

            let name = URL(fileURLWithPath: outside.path).lastPathComponent
            let importFolder = { (path: String) in try imports.importFolder(accountID: account, projectID: project.id, path: path) }
            for path in ["../\(name)", "photos/../../\(name)", outside.path, "/", "link"] {
                #expect(throws: ImportError.outsideImportRoot(path)) { try importFolder(path) }
            }
            for path in ["missing", "file.png"] {
                #expect(throws: ImportError.notAFolder(path)) { try importFolder(path) }
            }
            #expect(try imports.jobs(accountID: account, projectID: project.id).isEmpty)

            // A link inside an imported folder is skipped, not followed.
            let reports = JobReports(services.runs.jobs, kind: .importJob)
            let job = try Self.finished(try imports.importFolder(accountID: account, projectID: project.id, path: "photos"), reports,
                                        accountID: account, in: services)
            #expect(job.imported == 1 && job.skipped == [.init(name: "secret.png", reason: "a symbolic link (not followed)")])
        }
        try withServices("quarry-imports") { services in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            #expect(throws: ImportError.localImportsDisabled) {
                try services.imports.importFolder(accountID: account, projectID: project.id, path: "photos")
            }
        }
    }

    @Test func aRootOfSlashAdmitsEveryFolder() throws {
        let folder = try TemporaryDirectory("quarry-import-anywhere")
        defer { folder.remove() }
        try Self.write(["a.png": try TestImages.png(0)], under: folder.path)
        var settings = Services.Settings()
        settings.importRoot = "/"
        try withServices("quarry-imports", settings: settings) { services in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            let reports = JobReports(services.runs.jobs, kind: .importJob)
            for path in [folder.path, String(folder.path.dropFirst())] {
                let job = try Self.finished(try services.imports.importFolder(accountID: account, projectID: project.id, path: path), reports,
                                            accountID: account, in: services)
                #expect(job.imported + job.duplicates.count == 1)
            }
        }
    }

    @Test func anUploadThatIsNoZipIsRefusedAndRemoved() throws {
        try withServices("quarry-imports") { services in
            let account = try services.newAccount("owner")
            let project = try services.projects.create(accountID: account, name: "pets")
            let upload = "\(services.spoolDirectory)/upload.zip"
            try Data("not a zip".utf8).write(to: URL(fileURLWithPath: upload))

            let refused = #expect(throws: ImportError.self) {
                try services.imports.importArchive(accountID: account, projectID: project.id, archive: upload)
            }
            guard case .invalidArchive = refused else { Issue.record("\(String(describing: refused))"); return }
            #expect(!FileManager.default.fileExists(atPath: upload))
            #expect(try Self.leftovers(in: services).isEmpty)
            #expect(throws: ImportError.invalidArchive("the upload could not be kept")) {
                try services.imports.importArchive(accountID: account, projectID: project.id, archive: upload)
            }
            #expect(try services.imports.jobs(accountID: account, projectID: project.id).isEmpty)
        }
    }
}

import Foundation
@testable import Quarry
import Storage
import Testing

/// `ExportService`: ZIP archives of an account's images with their approved labels, narrowed to a
/// project or dataset, reused while their content is unchanged, and handed out through signed links.
@Suite struct ExportServiceTests {
    /// Project `pets` with dataset `Garden Cats` of two images: the first labeled `cat` and approved,
    /// the second with only a draft `dog`, which no export may show.
    private static func labeledPets(_ services: Services) throws -> (account: String, dataset: Dataset, images: [ImageRecord]) {
        let account = try services.newAccount("owner", projects: "pets")
        let (dataset, images) = try services.datasets.create(accountID: account, projectName: "pets", name: "Garden Cats", license: "",
                                                             files: TestImages.uploads(2))
        let labeling = services.labeling
        let assignment = try labeling.request(
            AnnotationRequest(projectName: "pets", datasetID: dataset.id, annotatorEmail: "a@example.com", reviewerEmail: "r@example.com",
                              labels: [LabelClass(name: "cat", type: .tag), LabelClass(name: "dog", type: .tag)]), accountID: account)
        for task in try labeling.tasks(for: assignment.annotator, role: .annotator) {
            let image = try #require(task.imageIDs.first)
            if image == images[0].id {
                _ = try labeling.submit(taskID: task.id, worker: assignment.annotator, labels: [ImageLabels(imageID: image, labels: [.tag("cat")])])
                _ = try labeling.review(taskID: task.id, worker: assignment.reviewer, approve: true, comment: nil)
            } else {
                let draft = [ImageLabels(imageID: image, labels: [.tag("dog")])]
                _ = try labeling.saveDraft(taskID: task.id, worker: assignment.annotator, labels: draft)
            }
        }
        return (account, dataset, images)
    }

    /// The archive's files by name.
    private static func files(of archive: ExportArchive, in services: Services) throws -> [String: [UInt8]] {
        try TestImages.unzip(services.blobs.read(archive.blob))
    }

    @Test func anExportHoldsTheImagesAndOnlyTheirApprovedLabels() throws {
        try withServices("quarry-exports") { services in
            let (account, _, images) = try Self.labeledPets(services)
            let archive = try services.exports.export(accountID: account, scope: ExportScope(projectName: "pets"), format: .csv)
            #expect(archive.fileName == "pets-csv.zip" && archive.id.hasPrefix("export-") && !archive.reused)
            #expect(try archive.size == (services.blobs as! LocalBlobStore).size(of: archive.blob))

            let files = try Self.files(of: archive, in: services)
            let paths = images.map { "images/\($0.id)_\($0.fileName)" }
            #expect(Set(files.keys) == Set(paths + ["annotations.csv"]))
            #expect(try paths.map { files[$0] ?? [] } == images.map { try services.blobs.read($0.blob) })
            let csv = String(decoding: try #require(files["annotations.csv"]), as: UTF8.self)
            #expect(csv == "image,width,height,label,type,x,y,w,h,points\r\n\(paths[0]),8,6,cat,tag,,,,,\r\n\(paths[1]),8,6,,,,,,,\r\n")
        }
    }

    @Test func aSignedLinkLeadsToTheArchiveWithoutAnAccount() throws {
        try withServices("quarry-exports") { services in
            let (account, _, _) = try Self.labeledPets(services)
            let archive = try services.exports.export(accountID: account, scope: ExportScope(), format: .coco)
            let link = services.exports.links.link(exportID: archive.id, fileName: archive.fileName)
            #expect(link.path.hasPrefix("/downloads/\(archive.id)/quarry-export-coco.zip?expires=\(link.expires)&signature="))
            let signature = try #require(link.path.split(separator: "=").last.map(String.init))
            #expect(services.exports.links.check(exportID: archive.id, expires: link.expires, signature: signature) == .valid)
            #expect(services.exports.links.check(exportID: "export-other", expires: link.expires, signature: signature) == .forged)

            let found = try #require(try services.exports.archive(id: archive.id))
            #expect(found.blob == archive.blob && found.fileName == archive.fileName && found.size == archive.size)
            #expect(try services.exports.archive(id: "export-ghost") == nil)
        }
    }

    @Test func anUnchangedExportIsReusedAndAnyChangeMakesANewOne() throws {
        try withServices("quarry-exports") { services in
            let (account, dataset, _) = try Self.labeledPets(services)
            let exports = services.exports
            let first = try exports.export(accountID: account, scope: ExportScope(), format: .yolo)
            let again = try exports.export(accountID: account, scope: ExportScope(), format: .yolo)
            #expect(again.reused && again.id == first.id && again.blob == first.blob)

            let otherFormat = try exports.export(accountID: account, scope: ExportScope(), format: .voc)
            #expect(!otherFormat.reused && otherFormat.id != first.id)
            _ = try services.datasets.addImages(accountID: account, projectName: "pets", datasetID: dataset.id, files: TestImages.uploads(1, from: 2))
            let grown = try exports.export(accountID: account, scope: ExportScope(), format: .yolo)
            #expect(!grown.reused && grown.blob != first.blob)
            #expect(try Self.files(of: grown, in: services).keys.filter { $0.hasPrefix("images/") }.count == 3)

            // An archive whose blob has gone (collected, or lost) is built again rather than handed out.
            try (services.blobs as! LocalBlobStore).remove(grown.blob)
            let rebuilt = try exports.export(accountID: account, scope: ExportScope(), format: .yolo)
            #expect(!rebuilt.reused && services.blobs.contains(rebuilt.blob))
        }
    }

    @Test func aScopeNarrowsTheExportToAProjectOrADataset() throws {
        try withServices("quarry-exports") { services in
            let (account, pets, _) = try Self.labeledPets(services)
            _ = try services.projects.create(accountID: account, name: "birds")
            let (sky, skyImages) = try services.datasets.create(accountID: account, projectName: "birds", name: "Sky & Sea", license: "",
                                                                files: TestImages.uploads(1, from: 5))
            let exports = services.exports
            let imageCount = { (archive: ExportArchive) in
                try Self.files(of: archive, in: services).keys.filter { $0.hasPrefix("images/") }.count
            }

            let everything = try exports.export(accountID: account, scope: ExportScope(), format: .coco)
            #expect(try everything.fileName == "quarry-export-coco.zip" && imageCount(everything) == 3)
            let birds = try exports.export(accountID: account, scope: ExportScope(projectName: "birds"), format: .yolo)
            #expect(try birds.fileName == "birds-yolo.zip" && imageCount(birds) == 1)
            let dataset = try exports.export(accountID: account, scope: ExportScope(datasetID: sky.id), format: .voc)
            #expect(dataset.fileName == "sky-sea-voc.zip")
            #expect(try Self.files(of: dataset, in: services).keys.contains("images/\(skyImages[0].id)_5.png") && imageCount(dataset) == 1)
            let petsOnly = try exports.export(accountID: account, scope: ExportScope(projectName: "pets", datasetID: pets.id), format: .csv)
            #expect(try petsOnly.fileName == "garden-cats-csv.zip" && imageCount(petsOnly) == 2)

            let export = { (scope: ExportScope) in try exports.export(accountID: account, scope: scope, format: .csv) }
            #expect(throws: DatasetError.notFound(sky.id)) { try export(ExportScope(projectName: "pets", datasetID: sky.id)) }
            #expect(throws: ProjectError.notFound("ghost")) { try export(ExportScope(projectName: "ghost")) }
            #expect(throws: DatasetError.notFound(999)) { try export(ExportScope(datasetID: 999)) }
        }
    }

    @Test func archiveNamesAreSlugsOfTheTitle() {
        #expect(ExportService.fileName("Street \"Scenes\" 2024", .coco) == "street-scenes-2024-coco.zip")
        #expect(ExportService.fileName("Über/../Ärger", .csv) == "über-ärger-csv.zip")
        #expect(ExportService.fileName("*** ***", .yolo) == "export-yolo.zip")
        #expect(ExportService.fileName(String(repeating: "a", count: 100), .voc) == String(repeating: "a", count: 60) + "-voc.zip")
    }

    @Test func anotherAccountsImagesAndArchivesAreAbsent() throws {
        try withServices("quarry-exports") { services in
            let (account, dataset, _) = try Self.labeledPets(services)
            let stranger = try services.newAccount("stranger")
            let exports = services.exports
            _ = try exports.export(accountID: account, scope: ExportScope(), format: .csv)

            let export = { (scope: ExportScope) in try exports.export(accountID: stranger, scope: scope, format: .csv) }
            #expect(throws: ProjectError.notFound("pets")) { try export(ExportScope(projectName: "pets")) }
            #expect(throws: DatasetError.notFound(dataset.id)) { try export(ExportScope(datasetID: dataset.id)) }
            let theirs = try export(ExportScope())
            #expect(!theirs.reused)
            let files = try Self.files(of: theirs, in: services)
            #expect(Array(files.keys) == ["annotations.csv"])
            #expect(files["annotations.csv"] == Array("image,width,height,label,type,x,y,w,h,points\r\n".utf8))

            // Archives are reused within an account only: a third account with the same (empty) content gets its own.
            let third = try exports.export(accountID: try services.newAccount("third"), scope: ExportScope(), format: .csv)
            #expect(!third.reused && third.id != theirs.id)
        }
    }
}

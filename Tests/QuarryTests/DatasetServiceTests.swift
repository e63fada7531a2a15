import Foundation
import Imaging
@testable import Quarry
import Testing

/// `DatasetService` and its `ImageIntake`: datasets made from uploads and added to, every file checked
/// before any is stored, names kept safe, and datasets reached only through the caller's account.
@Suite struct DatasetServiceTests {
    @Test func aDatasetIsCreatedWithItsImagesStoredAsBlobs() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner")
            let pets = try services.projects.create(accountID: account, name: "pets")
            let png = try TestImages.png(1, width: 12, height: 9)
            let jpeg = try TestImages.jpeg(2, width: 10, height: 20)
            let files = [IncomingFile(fileName: "a.png", source: .bytes(png)), IncomingFile(fileName: "b.jpg", source: .bytes(jpeg))]
            let (dataset, images) = try services.datasets.create(accountID: account, projectName: "pets", name: " cats ",
                                                                 license: "CC-BY 4.0", files: files)

            #expect(dataset.name == "cats" && dataset.license == "CC-BY 4.0" && dataset.projectID == pets.id && dataset.imageCount == 2)
            #expect(images.map(\.fileName) == ["a.png", "b.jpg"] && images.map(\.format) == [.png, .jpeg])
            #expect(images.map { "\($0.width)x\($0.height)" } == ["12x9", "10x20"])
            #expect(images.map(\.size) == [png.count, jpeg.count])
            #expect(images.map(\.blob) == [TestImages.blob(png), TestImages.blob(jpeg)])
            #expect(try images.map { try services.blobs.read($0.blob) } == [png, jpeg])
            #expect(images.allSatisfy { $0.datasetID == dataset.id })
            #expect(try services.datasets.dataset(accountID: account, projectName: "pets", id: dataset.id) == dataset)
            #expect(try services.datasets.images(accountID: account, datasetID: dataset.id) == images)
        }
    }

    @Test func aSpooledUploadIsMovedIntoTheBlobStore() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets")
            let jpeg = try TestImages.jpeg(3)
            let spooled = "\(services.spoolDirectory)/body-upload"
            try Data(jpeg).write(to: URL(fileURLWithPath: spooled))

            let images = try services.datasets.create(accountID: account, projectName: "pets", name: "spooled", license: "",
                                                      files: [IncomingFile(fileName: "photo.jpg", source: .spooled(path: spooled))]).images
            #expect(images.map(\.size) == [jpeg.count] && images.map(\.format) == [.jpeg])
            #expect(try services.blobs.read(images[0].blob) == jpeg)
            #expect(!FileManager.default.fileExists(atPath: spooled))
        }
    }

    @Test func uploadedNamesAreReducedToSafeDisplayNames() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets")
            let given = ["../../etc/passwd.png", "C:\\photos\\cat.png", "be\u{7}ll\u{7f}.png", "", "folder/..", String(repeating: "n", count: 300)]
            let files = try given.enumerated().map { IncomingFile(fileName: $1, source: .bytes(try TestImages.png($0))) }
                + [IncomingFile(fileName: "", source: .bytes(try TestImages.jpeg(9)))]
            let images = try services.datasets.create(accountID: account, projectName: "pets", name: "names", license: "", files: files).images
            #expect(images.map(\.fileName) == ["passwd.png", "cat.png", "bell.png", "image.png", "image.png", String(repeating: "n", count: 200),
                                                "image.jpg"])
        }
    }

    @Test func anInvalidImageRefusesTheWholeRequestAndStoresNothing() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets")
            let good = try TestImages.png(1)
            let refused = #expect(throws: DatasetError.self) {
                try services.datasets.create(accountID: account, projectName: "pets", name: "mixed", license: "", files: [
                    IncomingFile(fileName: "good.png", source: .bytes(good)),
                    IncomingFile(fileName: "notes/readme.txt", source: .bytes(Array("not an image".utf8))),
                ])
            }
            #expect(Self.refusedFile(refused) == "readme.txt")
            #expect(!services.blobs.contains(TestImages.blob(good)))
            #expect(try services.rowCount("datasets") == 0 && services.rowCount("images") == 0)

            let dataset = try services.datasets.create(accountID: account, projectName: "pets", name: "one", license: "",
                                                       files: TestImages.uploads(1)).dataset
            let added = try TestImages.png(2)
            let truncated = Array(try TestImages.png(3).dropLast(20))
            let cut = #expect(throws: DatasetError.self) {
                try services.datasets.addImages(accountID: account, projectName: "pets", datasetID: dataset.id, files: [
                    IncomingFile(fileName: "added.png", source: .bytes(added)), IncomingFile(fileName: "cut.png", source: .bytes(truncated)),
                ])
            }
            #expect(Self.refusedFile(cut) == "cut.png")
            #expect(!services.blobs.contains(TestImages.blob(added)))
            #expect(try services.datasets.dataset(accountID: account, projectName: "pets", id: dataset.id).imageCount == 1)
        }
    }

    @Test func imagesOverThePixelLimitAreRefused() throws {
        var settings = Services.Settings()
        settings.imageLimits = ImageLimits(maxPixels: 100)
        try withServices("quarry-datasets", settings: settings) { services in
            let account = try services.newAccount("owner", projects: "pets")
            let large = #expect(throws: DatasetError.self) {
                let large = try TestImages.png(1, width: 11, height: 10)
                return try services.datasets.create(accountID: account, projectName: "pets", name: "large", license: "",
                                                    files: [IncomingFile(fileName: "11x10.png", source: .bytes(large))])
            }
            #expect(Self.refusedFile(large) == "11x10.png")
            let fits = [IncomingFile(fileName: "10x10.png", source: .bytes(try TestImages.png(1, width: 10, height: 10)))]
            let made = try services.datasets.create(accountID: account, projectName: "pets", name: "fits", license: "", files: fits)
            #expect(made.dataset.imageCount == 1)
        }
    }

    @Test func aRequestWithoutImagesOrWithTooManyIsRefused() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets")
            let datasets = services.datasets
            #expect(throws: DatasetError.noImages) {
                try datasets.create(accountID: account, projectName: "pets", name: "none", license: "", files: [])
            }
            let dataset = try datasets.create(accountID: account, projectName: "pets", name: "one", license: "", files: TestImages.uploads(1)).dataset
            #expect(throws: DatasetError.noImages) {
                try datasets.addImages(accountID: account, projectName: "pets", datasetID: dataset.id, files: [])
            }
            let tooMany = Array(repeating: try TestImages.uploads(1)[0], count: ImageIntake.maxImagesPerRequest + 1)
            #expect(throws: DatasetError.tooManyImages(limit: 10_000)) {
                try datasets.create(accountID: account, projectName: "pets", name: "many", license: "", files: tooMany)
            }
            #expect(throws: DatasetError.tooManyImages(limit: 10_000)) {
                try datasets.addImages(accountID: account, projectName: "pets", datasetID: dataset.id, files: tooMany)
            }
            #expect(try services.rowCount("images") == 1)
        }
    }

    @Test func datasetNamesAreCheckedAndUniqueWithinAProject() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets", "birds")
            let datasets = services.datasets
            let create = { (project: String, name: String, license: String) in
                try datasets.create(accountID: account, projectName: project, name: name, license: license, files: TestImages.uploads(1))
            }
            _ = try create("pets", "one", "")
            #expect(throws: DatasetError.nameTaken("one")) { try create("pets", " one ", "") }
            #expect(try create("birds", "one", "").dataset.name == "one")
            #expect(throws: ProjectError.invalid(field: "dataset_name", reason: "must not be empty")) { try create("pets", "", "") }
            #expect(throws: ProjectError.invalid(field: "license", reason: "is longer than 1000 characters")) {
                try create("pets", "licensed", String(repeating: "l", count: 1001))
            }
            #expect(try create("pets", "licensed", String(repeating: "l", count: 1000)).dataset.license.count == 1000)
            // Refused before anything is stored: the image that would have come is not in the blob store.
            let ghostly = try TestImages.uploads(1, from: 40)
            #expect(throws: ProjectError.notFound("ghost")) {
                try datasets.create(accountID: account, projectName: "ghost", name: "two", license: "", files: ghostly)
            }
            if case .bytes(let bytes) = ghostly[0].source { #expect(!services.blobs.contains(TestImages.blob(bytes))) }
            #expect(try services.rowCount("datasets") == 3)
        }
    }

    @Test func imagesAreAddedToADatasetOfTheNamedProjectOnly() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets", "birds")
            let datasets = services.datasets
            let dataset = try datasets.create(accountID: account, projectName: "pets", name: "one", license: "", files: TestImages.uploads(1)).dataset

            let (updated, added) = try datasets.addImages(accountID: account, projectName: "pets", datasetID: dataset.id,
                                                          files: TestImages.uploads(2, from: 1))
            #expect(added == 2 && updated.imageCount == 3 && updated.id == dataset.id)
            #expect(try datasets.dataset(accountID: account, projectName: "pets", id: dataset.id) == updated)
            #expect(try datasets.images(accountID: account, datasetID: dataset.id).map(\.fileName) == ["0.png", "1.png", "2.png"])

            #expect(throws: DatasetError.notFound(dataset.id)) {
                try datasets.addImages(accountID: account, projectName: "birds", datasetID: dataset.id, files: TestImages.uploads(1, from: 3))
            }
            #expect(throws: DatasetError.notFound(dataset.id)) { try datasets.dataset(accountID: account, projectName: "birds", id: dataset.id) }
            #expect(throws: DatasetError.notFound(999)) { try datasets.dataset(accountID: account, projectName: "pets", id: 999) }
            #expect(throws: DatasetError.notFound(999)) { try datasets.images(accountID: account, datasetID: 999) }
        }
    }

    @Test func anotherAccountsDatasetIsAbsent() throws {
        try withServices("quarry-datasets") { services in
            let account = try services.newAccount("owner", projects: "pets", "secret")
            let stranger = try services.newAccount("stranger")
            // The stranger's project of the same name does not reach the owner's datasets either.
            _ = try services.projects.create(accountID: stranger, name: "pets")
            let datasets = services.datasets
            let dataset = try datasets.create(accountID: account, projectName: "pets", name: "one", license: "", files: TestImages.uploads(1)).dataset

            #expect(throws: DatasetError.notFound(dataset.id)) { try datasets.dataset(accountID: stranger, projectName: "pets", id: dataset.id) }
            #expect(throws: DatasetError.notFound(dataset.id)) { try datasets.images(accountID: stranger, datasetID: dataset.id) }
            let offered = try TestImages.png(7)
            #expect(throws: DatasetError.notFound(dataset.id)) {
                try datasets.addImages(accountID: stranger, projectName: "pets", datasetID: dataset.id,
                                       files: [IncomingFile(fileName: "mine.png", source: .bytes(offered))])
            }
            #expect(!services.blobs.contains(TestImages.blob(offered)))
            #expect(throws: ProjectError.notFound("secret")) {
                try datasets.create(accountID: stranger, projectName: "secret", name: "two", license: "", files: TestImages.uploads(1))
            }
            #expect(try datasets.dataset(accountID: account, projectName: "pets", id: dataset.id).imageCount == 1)
        }
    }

    /// The file an `invalidImage` refusal names.
    private static func refusedFile(_ error: DatasetError?) -> String? {
        guard case .invalidImage(let fileName, _) = error else { return nil }
        return fileName
    }
}

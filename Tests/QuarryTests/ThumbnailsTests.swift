import Imaging
@testable import Quarry
import Testing

/// `Thumbnails`: a JPEG preview per distinct image content, made on first use and kept.
@Suite struct ThumbnailsTests {
    /// The images of a new dataset made of `files`.
    private static func images(_ files: [IncomingFile], in services: Services) throws -> [ImageRecord] {
        let account = try services.newAccount("owner", projects: "pets")
        return try services.datasets.create(accountID: account, projectName: "pets", name: "one", license: "", files: files).images
    }

    @Test func aThumbnailIsAJPEGFittedToTheLongSideAndKept() throws {
        try withServices("quarry-thumbnails") { services in
            let wide = try TestImages.png(1, width: 600, height: 300)
            let image = try Self.images([IncomingFile(fileName: "wide.png", source: .bytes(wide))], in: services)[0]
            #expect(try services.rowCount("thumbnails") == 0)

            let thumbnail = try services.thumbnails.thumbnail(of: image)
            let info = try ImageProbe.verify(thumbnail)
            #expect(info.format == .jpeg && info.width == Thumbnail.longSide && info.height == 128)
            #expect(try services.rowCount("thumbnails") == 1)
            #expect(try services.thumbnails.thumbnail(of: image) == thumbnail)
        }
    }

    @Test func aKeptThumbnailIsServedWithoutBeingMadeAgain() throws {
        try withServices("quarry-thumbnails") { services in
            let image = try Self.images(TestImages.uploads(1), in: services)[0]
            // A stand-in stored under the image's blob: what comes back must be what was kept.
            let kept: [UInt8] = [0xFF, 0xD8, 0xFF, 0xD9]
            try services.database.write { db in try ThumbnailStore.record(image: image.blob, data: kept, on: db) }
            #expect(try services.thumbnails.thumbnail(of: image) == kept)
        }
    }

    @Test func aSmallImageKeepsItsSizeAndEqualContentSharesOneThumbnail() throws {
        try withServices("quarry-thumbnails") { services in
            let jpeg = try TestImages.jpeg(2, width: 8, height: 6)
            let images = try Self.images([IncomingFile(fileName: "a.jpg", source: .bytes(jpeg)),
                                          IncomingFile(fileName: "copy.jpg", source: .bytes(jpeg))], in: services)
            let thumbnail = try services.thumbnails.thumbnail(of: images[0])
            let info = try ImageProbe.verify(thumbnail)
            #expect(info.format == .jpeg && info.width == 8 && info.height == 6)
            #expect(try services.thumbnails.thumbnail(of: images[1]) == thumbnail)
            #expect(try services.rowCount("thumbnails") == 1)
        }
    }

    @Test func storedBytesThatAreNoImageGiveNoThumbnailAndKeepNone() throws {
        try withServices("quarry-thumbnails") { services in
            let image = try Self.images(TestImages.uploads(1), in: services)[0]
            let broken = ImageRecord(id: image.id, datasetID: image.datasetID, blob: try services.blobs.put(Array("not an image".utf8)),
                                     fileName: image.fileName, format: .png, width: image.width, height: image.height, size: 12,
                                     createdAt: image.createdAt)
            #expect(throws: ImageError.self) { try services.thumbnails.thumbnail(of: broken) }
            #expect(try services.rowCount("thumbnails") == 0)
        }
    }
}

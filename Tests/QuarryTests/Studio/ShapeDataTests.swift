@testable import Quarry
import Storage
import Testing

/// `ShapeData`: a split's subset with its approved boxes and polygons, boxes clipped to their image and
/// those with no area left out (both counted), and a snapshot that names the exact set.
@Suite struct ShapeDataTests {
    private static func approve(_ labels: [Label], on image: ImageRecord, project: String, in database: any Database) throws {
        let now = Timestamp.now()
        try database.write { db in
            try TaskStore.insert(LabelTask(id: ID.make("job"), projectID: project, source: .imported, status: .done, annotatorID: nil,
                                           reviewerID: nil, imageIDs: [image.id], predictions: [],
                                           annotations: [ImageLabels(imageID: image.id, labels: labels)], draft: nil, reviewComment: nil,
                                           createdAt: now, updatedAt: now, startedAt: nil, submittedAt: nil, finishedAt: now), on: db)
        }
    }

    @Test func aSubsetsBoxesAndPolygonsAreClippedCountedAndSnapshotted() throws {
        let fixture = try StudioFixture(imagesPerClass: 4)
        _ = try fixture.split()
        let database = fixture.services.database
        let load = { try database.read { db in try ShapeData.load(projectID: fixture.projectID, splitIndex: 0, subset: .train, on: db) } }
        let before = try load()
        #expect(before.items.count == before.report.images && before.report.boxes == 0 && before.classes.isEmpty,
                "the colours' tags are not shapes")

        let image = try #require(before.items.first?.image)  // 8 × 8
        try Self.approve([.box("cat", x: 1, y: 1, width: 3, height: 2), .box("cat", x: 6, y: 5, width: 4, height: 4),
                          .box("dog", x: 9, y: 9, width: 2, height: 2), .polygon("dog", [[0, 0], [2, 0], [1, 3]]), .tag("red")],
                         on: image, project: fixture.projectID, in: database)
        let after = try load()
        let item = try #require(after.items.first { $0.image.id == image.id })
        #expect(after.classes == ["cat", "dog"])
        #expect(after.report == ShapeData.Report(images: before.report.images, boxes: 3, polygons: 1, clipped: 1, skipped: 1))
        #expect(item.boxes == [ShapeData.Box(classIndex: 0, x: 1, y: 1, width: 3, height: 2),
                               ShapeData.Box(classIndex: 0, x: 6, y: 5, width: 2, height: 3),
                               ShapeData.Box(classIndex: 1, x: 0, y: 0, width: 2, height: 3)])
        #expect(item.polygons.count == 1 && item.polygons[0].classIndex == 1)
        #expect(try load().snapshot == after.snapshot && after.snapshot != before.snapshot && after.snapshot.count == 64)
    }
}

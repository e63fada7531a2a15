@testable import API
import Quarry
import Testing

/// Label types as JTheta's README and product spell them, and as Quarry does, read forgivingly.
@Suite struct JThetaLabelTypeTests {
    @Test(arguments: [
        ("Bounding Boxes", LabelType.boundingBox), ("Polygons", .polygon), ("Points", .point),
        ("Instance Segmentation", .polygon), ("Semantic Segmentation", .polygon), ("Classification", .tag),
        ("bounding_box", .boundingBox), ("polygon", .polygon), ("point", .point), ("tag", .tag),
        ("bounding boxes", .boundingBox), ("BoundingBoxes", .boundingBox), ("  Bounding   Box ", .boundingBox),
        ("bounding-boxes", .boundingBox), ("POLYGONS", .polygon), ("semantic_segmentation", .polygon), ("Point", .point),
    ])
    func aSpellingReadsAsItsType(_ spelling: String, _ type: LabelType) {
        #expect(JThetaLabelType.parse(spelling) == type)
    }

    @Test(arguments: ["circle", "", "Bounding", "Boxes", "segmentation", "tags", "Polygonss"])
    func otherWordsAreRefused(_ spelling: String) {
        #expect(JThetaLabelType.parse(spelling) == nil)
    }

    @Test func theRefusalListsEverySpellingTheProductUsesFirst() {
        #expect(JThetaLabelType.accepted == "Bounding Boxes, Polygons, Points, Instance Segmentation, Semantic Segmentation, "
            + "Classification, tag, bounding_box, polygon, point")
    }
}

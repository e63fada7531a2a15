@testable import Quarry
import Testing

struct AnnotationValidatorTests {
    private let classes = [LabelClass(name: "cat", type: .tag), LabelClass(name: "car", type: .boundingBox),
                           LabelClass(name: "lake", type: .polygon), LabelClass(name: "eye", type: .point)]
    private let images = [7: AnnotationValidator.ImageBounds(width: 100, height: 50)]

    private func validate(_ labels: [Label], allowCreation: Bool = false, image: Int = 7) throws(LabelingError) -> [LabelClass] {
        try AnnotationValidator(classes: classes, images: images, allowClassCreation: allowCreation)
            .validate([ImageLabels(imageID: image, labels: labels)])
    }

    @Test func wellFormedLabelsOfEveryTypePass() throws {
        let added = try validate([.tag("cat"), .box("car", x: 0, y: 0, width: 100, height: 50),
                                  .polygon("lake", [[0, 0], [100, 0], [50, 50]]), .point("eye", x: 99.5, y: 0)])
        #expect(added.isEmpty)
    }

    @Test func geometryOutsideTheImageIsRefused() {
        #expect(throws: LabelingError.self) { try validate([.box("car", x: 90, y: 0, width: 11, height: 5)]) }
        #expect(throws: LabelingError.self) { try validate([.box("car", x: -1, y: 0, width: 5, height: 5)]) }
        #expect(throws: LabelingError.self) { try validate([.polygon("lake", [[0, 0], [101, 0], [50, 50]])]) }
        #expect(throws: LabelingError.self) { try validate([.point("eye", x: 10, y: 50.1)]) }
        #expect(throws: LabelingError.self) { try validate([.point("eye", x: .nan, y: 1)]) }
    }

    @Test func shapesMustMatchTheirType() {
        #expect(throws: LabelingError.self) { try validate([.box("car", x: 0, y: 0, width: 0, height: 5)]) }
        #expect(throws: LabelingError.self) { try validate([.polygon("lake", [[0, 0], [1, 1]])]) }
        #expect(throws: LabelingError.self) { try validate([Label(label: "cat", type: .tag, point: [1, 1])]) }
        #expect(throws: LabelingError.self) { try validate([Label(label: "car", type: .boundingBox, bbox: [1, 2, 3])]) }
        #expect(throws: LabelingError.self) { try validate([.tag("car")]) }
    }

    @Test func unknownClassesNeedPermissionAndThenAreAdded() throws {
        #expect(throws: LabelingError.self) { try validate([.tag("dog")]) }
        let added = try validate([.tag("dog"), .tag("dog"), .point("nose", x: 1, y: 1)], allowCreation: true)
        #expect(added == [LabelClass(name: "dog", type: .tag), LabelClass(name: "nose", type: .point)])
        #expect(throws: LabelingError.self) { try validate([.tag("dog"), .point("dog", x: 1, y: 1)], allowCreation: true) }
    }

    @Test func imagesMustBelongToTheTaskAndAppearOnce() {
        #expect(throws: LabelingError.self) { try validate([.tag("cat")], image: 8) }
        #expect(throws: LabelingError.self) {
            try AnnotationValidator(classes: classes, images: images, allowClassCreation: false)
                .validate([ImageLabels(imageID: 7, labels: []), ImageLabels(imageID: 7, labels: [])])
        }
    }

    @Test func confidenceMustBeAProbability() {
        #expect(throws: LabelingError.self) { try validate([Label(label: "cat", type: .tag, confidence: 1.5)]) }
    }
}

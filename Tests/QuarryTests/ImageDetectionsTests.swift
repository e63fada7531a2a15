import Foundation
import Learn
@testable import Quarry
import Testing

/// An image's detections read against its true boxes, and an evaluation report that reads back as the
/// task it was written for.
struct ImageDetectionsTests {
    static func box(_ c: Int, _ x: Float, _ y: Float, _ side: Float = 10) -> LabeledBox {
        LabeledBox(classIndex: c, x1: x, y1: y, x2: x + side, y2: y + side)
    }

    @Test func matchesTruePositivesAndListsFalseOnesAndMisses() {
        let truths = [Self.box(0, 0, 0), Self.box(1, 50, 50), Self.box(0, 100, 100)]
        let detections = [
            Detection(box: Self.box(0, 1, 1), score: 0.9),
            // The same object again: its truth is taken, so this one is a false positive overlapping it.
            Detection(box: Self.box(0, 0, 1), score: 0.8),
            // The right place, the wrong class.
            Detection(box: Self.box(0, 50, 51), score: 0.7),
            // Too faint to list.
            Detection(box: Self.box(0, 100, 100), score: 0.2),
        ]
        let read = ImageDetections(truths: truths, detections: detections, classes: ["a", "b"])
        #expect(read.truePositives.map(\.score) == [Double(Float(0.9))])
        #expect(abs(read.truePositives[0].iou - 81.0 / 119.0) < 1e-6)
        #expect(read.falsePositives.map(\.overlapsClass) == ["a", "b"])
        #expect(abs(read.falsePositives[1].iou - 90.0 / 110.0) < 1e-6)
        #expect(read.misses.map(\.className) == ["b", "a"] && read.misses[1].box == [100, 100, 10, 10])
        #expect(read.errors == 4)
        let result = EvaluationResult(fileName: "x.png", detections: read, truths: ["a", "b", "a"])
        #expect(result.groundTruth == "a, b" && result.prediction == "a" && result.loss == 4 && !result.correct)
    }

    @Test func anImageWithNothingToFindAndNothingFoundIsCorrect() {
        let read = ImageDetections(truths: [], detections: [], classes: ["a"])
        #expect(EvaluationResult(fileName: "x.png", detections: read, truths: []).correct)
    }

    @Test func reportsReadBackAsTheirTask() throws {
        let detection = EvaluationReport.detection(DetectionReport(
            classes: ["a"], images: [0], truths: [.init(imageID: 0, classIndex: 0, x: 0, y: 0, width: 10, height: 10)],
            predictions: [.init(imageID: 0, classIndex: 0, x: 0, y: 0, width: 10, height: 10, score: 0.9)]))
        let classification = EvaluationReport.classification(ClassificationReport(
            classes: ["a", "b"], truths: [0, 1], predictions: [0, 0], inTopFive: [true, true], losses: [0.1, 2]))
        for report in [detection, classification] {
            #expect(try JSONDecoder().decode(EvaluationReport.self, from: JSONEncoder().encode(report)) == report)
        }
        let written = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detection)) as? [String: Any]
        #expect(Set(written?.keys.map { $0 } ?? []) == ["map", "ap50", "ap75", "ar100", "ap"])
    }
}

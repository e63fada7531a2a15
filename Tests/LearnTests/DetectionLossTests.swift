import Foundation
@testable import Learn
import Testing

/// FCOS's losses against central differences in Double, and its assignment of locations to boxes.
struct DetectionLossTests {
    static func centralDifference(_ f: (Double) -> Double, at x: Double, h: Double = 1e-5) -> Double {
        (f(x + h) - f(x - h)) / (2 * h)
    }

    @Test(arguments: [-6.0, -1.5, 0, 0.7, 4.0]) func focalLossDerivative(logit: Double) {
        let focal = FocalLoss()
        for positive in [true, false] {
            let numeric = Self.centralDifference({ focal(logit: $0, positive: positive).loss }, at: logit)
            #expect(abs(focal(logit: logit, positive: positive).gradient - numeric) < 1e-7, "positive \(positive)")
        }
    }

    @Test func focalLossIsSmallWhenConfidentlyRight() {
        let focal = FocalLoss()
        #expect(focal(logit: -6, positive: false).loss < 1e-6)
        #expect(focal(logit: 6, positive: true).loss < 1e-6)
        #expect(focal(logit: -6, positive: true).loss > 1)
    }

    @Test(arguments: [[3.0, 4, 5, 6], [10, 2, 1, 8], [4.5, 4.5, 4.5, 4.5], [0.5, 9, 12, 0.25]])
    func gIoUDerivative(predicted: [Double]) {
        let target = [4.0, 5, 4, 5]
        let analytic = GIoU.loss(predicted: predicted, target: target).gradient
        for side in 0..<4 where abs(predicted[side] - target[side]) > 1e-3 {
            let numeric = Self.centralDifference({ value in
                var moved = predicted
                moved[side] = value
                return GIoU.loss(predicted: moved, target: target).loss
            }, at: predicted[side])
            #expect(abs(analytic[side] - numeric) < 1e-7, "side \(side): \(analytic[side]) vs \(numeric)")
        }
    }

    @Test func gIoUIsZeroForTheSameBoxAndGrowsApart() {
        #expect(abs(GIoU.loss(predicted: [4, 5, 4, 5], target: [4, 5, 4, 5]).loss) < 1e-12)
        #expect(GIoU.loss(predicted: [1, 1, 1, 1], target: [4, 5, 4, 5]).loss > GIoU.loss(predicted: [3, 4, 3, 4], target: [4, 5, 4, 5]).loss)
    }

    @Test func centerSamplingAssignsTheSmallerBoxAndEveryBoxGetsALocation() {
        // An 8 × 8 map of stride 8: a large box, a small one inside it, and a tiny one between centers.
        let boxes = [
            LabeledBox(classIndex: 0, x1: 0, y1: 0, x2: 64, y2: 64),
            LabeledBox(classIndex: 1, x1: 16, y1: 16, x2: 40, y2: 40),
            LabeledBox(classIndex: 2, x1: 49, y1: 49, x2: 51, y2: 51),
        ]
        let targets = FCOSTargets(boxes: boxes, height: 8, width: 8, stride: 8)
        let byClass = Dictionary(grouping: targets.positives, by: \.classIndex)
        // The small box's center (28, 28) lies within 12 px of the centers at 20, 28 and 36 along each side.
        #expect(Set(byClass[1]!.map(\.location)) == Set([2, 3, 4].flatMap { row in [2, 3, 4].map { row * 8 + $0 } }))
        // The large box's center region went to the small box: it takes the free location nearest its center
        // (32, 32), (3, 5) at (44, 28), the lower index of the two as near.
        #expect(byClass[0]!.map(\.location) == [3 * 8 + 5])
        // The tiny box holds no location's center: it takes the nearest, (6, 6) at (52, 52), its far sides
        // clamped to half a pixel.
        #expect(byClass[2]!.map(\.location) == [6 * 8 + 6] && byClass[2]![0].distances == [3, 3, 0.5, 0.5])
        let center = byClass[1]!.first { $0.location == 3 * 8 + 3 }!
        #expect(center.distances == [12, 12, 12, 12] && abs(center.centerness - 1) < 1e-12)
    }

    @Test func degenerateBoxesAreNotAssigned() {
        let targets = FCOSTargets(boxes: [LabeledBox(classIndex: 0, x1: 10, y1: 10, x2: 10, y2: 30)], height: 4, width: 4, stride: 8)
        #expect(targets.positives.isEmpty)
    }

    /// The whole loss's gradient against central differences of its Double-valued terms, at Float points.
    @Test func fcosLossGradient() {
        let (classes, height, width) = (2, 4, 4)
        let shape = [2, classes + 5, height, width]
        var random = Random(seed: 3)
        let output = (0..<shape.reduce(1, *)).map { _ in random.normal() }
        let boxes = [
            [LabeledBox(classIndex: 0, x1: 2, y1: 3, x2: 20, y2: 25), LabeledBox(classIndex: 1, x1: 14, y1: 10, x2: 31, y2: 30)],
            [LabeledBox(classIndex: 1, x1: 0, y1: 0, x2: 12, y2: 16)],
        ]
        let loss = FCOSLoss(classes: classes, stride: 8)
        let result = loss(output, shape: shape, boxes: boxes)
        #expect(result.positives > 0 && result.loss.isFinite)
        let h: Float = 1e-2
        var worst = 0.0
        for index in stride(from: 0, to: output.count, by: 3) {
            var plus = output, minus = output
            plus[index] += h
            minus[index] -= h
            let numeric = (Double(loss(plus, shape: shape, boxes: boxes).loss) - Double(loss(minus, shape: shape, boxes: boxes).loss))
                / Double(plus[index] - minus[index])
            worst = max(worst, abs(numeric - Double(result.gradient[index])))
        }
        #expect(worst < 2e-3, "worst gradient error \(worst)")
    }

    @Test func nonMaxSuppressionIsPerClass() {
        func detection(_ c: Int, _ x: Float, _ score: Float) -> Detection {
            Detection(box: LabeledBox(classIndex: c, x1: x, y1: 0, x2: x + 10, y2: 10), score: score)
        }
        let kept = NonMaxSuppression.apply(
            [detection(0, 0, 0.5), detection(0, 1, 0.9), detection(1, 1, 0.8), detection(0, 30, 0.3)], iouThreshold: 0.5, limit: 10)
        #expect(kept == [detection(0, 1, 0.9), detection(1, 1, 0.8), detection(0, 30, 0.3)])
        #expect(NonMaxSuppression.apply([detection(0, 0, 0.5), detection(0, 30, 0.4)], iouThreshold: 0.5, limit: 1).count == 1)
    }

    @Test func decoderPlacesBoxesAroundLocations() {
        // One class on a 2 × 2 map of stride 8: only location (0, 1) is confident, with distances 8·e^0.
        let (classes, plane) = (1, 4)
        var output = [Float](repeating: -10, count: (classes + 5) * plane)
        output[1] = 10
        for side in 0..<4 { output[(classes + side) * plane + 1] = 0 }
        output[(classes + 4) * plane + 1] = 10
        let detections = FCOSDecoder(classes: classes, stride: 8).decode(output, shape: [1, classes + 5, 2, 2], imageWidth: 16, imageHeight: 16)
        #expect(detections.count == 1 && detections[0].count == 1)
        let box = detections[0][0].box
        #expect(box == LabeledBox(classIndex: 0, x1: 4, y1: 0, x2: 16, y2: 12))
        #expect(detections[0][0].score > 0.99)
    }
}

import Foundation
@testable import Quarry
import Testing

/// `SegmentationReport` against numpy computing the same figures from the same masks: a confusion matrix by
/// `bincount`, IoU per class, their mean over the classes that occur, pixel accuracy, per-image mean IoU.
struct SegmentationReportTests {
    @Test func theFiguresAreNumpysOnTheSameMasks() throws {
        var random = SplitMix64(seed: 7)
        func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
        let classes = ["background", "circle", "square", "star"]
        var truths: [[Int]] = [], predictions: [[Int]] = []
        for _ in 0..<12 {
            // Classes 0–2 only in the truth, so `star` is predicted but never true; pixels mostly right.
            let truth = (0..<(16 * 16)).map { _ in next(3) }
            truths.append(truth)
            predictions.append(truth.map { next(10) < 7 ? $0 : next(4) })
        }
        let report = SegmentationReport(classes: classes, truths: truths, predictions: predictions)
        let script = """
            import json, sys
            import numpy as np
            data = json.loads(sys.argv[1])
            k = data["k"]
            def iou(t, p):
                m = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
                inter = np.diag(m); union = m.sum(0) + m.sum(1) - inter
                return [float(i / u) if u else None for i, u in zip(inter, union)], m
            t = np.array(data["truths"]).ravel(); p = np.array(data["predictions"]).ravel()
            ious, m = iou(t, p)
            present = [x for x in ious if x is not None]
            images = []
            for ti, pi in zip(data["truths"], data["predictions"]):
                per, _ = iou(np.array(ti), np.array(pi)); per = [x for x in per if x is not None]
                images.append(sum(per) / len(per))
            print(json.dumps({"iou": ious, "mean": sum(present) / len(present), "accuracy": float(np.trace(m) / m.sum()), "images": images}))
            """
        let input = String(decoding: try JSONSerialization.data(withJSONObject: ["k": classes.count, "truths": truths,
                                                                                  "predictions": predictions]), as: UTF8.self)
        let judged = try PythonJudge.run(script, arguments: [input])
        #expect(abs(report.meanIoU - (judged["mean"] as? Double ?? -1)) < 1e-12)
        #expect(abs(report.pixelAccuracy - (judged["accuracy"] as? Double ?? -1)) < 1e-12)
        let perClass = judged["iou"] as? [Any] ?? []
        for (index, name) in classes.enumerated() {
            let expected = perClass[index] as? Double
            let computed = report.iou[name].flatMap { $0 }
            #expect(computed.map { abs($0 - (expected ?? -1)) < 1e-12 } ?? (expected == nil), "\(name)")
        }
        let images = judged["images"] as? [Double] ?? []
        #expect(images.count == 12 && zip(report.imageIoU, images).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func aClassNeitherTrueNorPredictedCountsInNoMean() {
        let report = SegmentationReport(classes: ["background", "a", "b"], truths: [[0, 1, 1, 0]], predictions: [[0, 1, 0, 0]])
        #expect(report.iou["b"] == .some(nil) && report.iou["a"] == 0.5 && report.pixelAccuracy == 0.75)
        #expect(abs(report.meanIoU - (2.0 / 3 + 0.5) / 2) < 1e-12)
    }
}

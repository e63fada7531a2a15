import Foundation
@testable import Quarry
import Testing

/// `DetectionReport` against the outside judge it is written to agree with: pycocotools' COCOeval on the
/// same boxes, through python3 (installed by `make test`). Several hundred boxes of three classes, with
/// near misses, duplicates, tied scores, false positives on images with no true box, and a class no image has.
struct DetectionReportTests {
    private struct Scene {
        var images: [Int] = []
        var truths: [DetectionReport.Box] = []
        var predictions: [DetectionReport.Box] = []
    }

    /// A fixed pseudo-random scene (the splits' SplitMix64), so the test is the same on every run.
    private static func scene() -> Scene {
        var random = SplitMix64(seed: 0x5eed)
        func next() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        var scene = Scene()
        for image in 1...60 {
            scene.images.append(image)
            let count = image % 7 == 0 ? 0 : Int(next() * 5)
            for _ in 0..<count {
                let classIndex = Int(next() * 3) % 3
                let (x, y, w, h) = (next() * 80, next() * 80, 4 + next() * 40, 4 + next() * 40)
                scene.truths.append(.init(imageID: image, classIndex: classIndex, x: x, y: y, width: w, height: h))
                // A prediction near it (sometimes of the wrong class), sometimes a duplicate, with scores that tie.
                for _ in 0..<(next() < 0.2 ? 2 : 1) where next() < 0.85 {
                    let jitter = { (size: Double) in (next() - 0.5) * size * 0.25 }
                    let predicted = next() < 0.1 ? (classIndex + 1) % 3 : classIndex
                    scene.predictions.append(.init(imageID: image, classIndex: predicted, x: x + jitter(w), y: y + jitter(h),
                                                   width: w * (0.85 + next() * 0.3), height: h * (0.85 + next() * 0.3),
                                                   score: (next() * 20).rounded() / 20))
                }
            }
            for _ in 0..<Int(next() * 3) {
                scene.predictions.append(.init(imageID: image, classIndex: Int(next() * 3) % 3, x: next() * 90, y: next() * 90,
                                               width: 2 + next() * 30, height: 2 + next() * 30, score: next() * 0.6))
            }
        }
        return scene
    }

    @Test func theFiguresAreCOCOevalsOnTheSameBoxes() throws {
        let classes = ["circle", "square", "triangle", "star"]
        let scene = Self.scene()
        let report = DetectionReport(classes: classes, images: scene.images, truths: scene.truths, predictions: scene.predictions)
        let judged = try Self.cocoeval(scene, classes: classes)
        #expect(abs(report.map - judged["map"]!) < 1e-9, "\(report.map) vs \(judged["map"]!)")
        #expect(abs(report.ap50 - judged["ap50"]!) < 1e-9 && abs(report.ap75 - judged["ap75"]!) < 1e-9)
        #expect(abs(report.ar100 - judged["ar100"]!) < 1e-9)
        for (k, name) in classes.enumerated().dropLast() {
            let classAP = report.ap[name].flatMap { $0 } ?? -9
            #expect(abs(classAP - judged["ap\(k)"]!) < 1e-9, "\(name)")
        }
        #expect(report.ap["star"] == .some(nil), "no true star: left out, as COCO leaves it")
        #expect(report.map > 0.2 && report.map < 0.9 && report.ap50 > report.ap75, "a scene that tests something: \(report.map)")
    }

    @Test func perfectPredictionsScoreOneAndNoneScoreZero() {
        let truths = [DetectionReport.Box(imageID: 1, classIndex: 0, x: 10, y: 10, width: 20, height: 30)]
        let perfect = DetectionReport(classes: ["a"], images: [1, 2], truths: truths, predictions: truths)
        // 1 / (1 + ε): COCOeval divides by tp + fp + ε.
        #expect(perfect.map > 1 - 1e-12 && perfect.ap50 > 1 - 1e-12 && perfect.ar100 == 1)
        let none = DetectionReport(classes: ["a"], images: [1], truths: truths, predictions: [])
        #expect(none.map == 0 && none.ar100 == 0)
    }

    /// COCOeval's stats and per-class AP for the scene, written out as COCO JSON and read by pycocotools.
    private static func cocoeval(_ scene: Scene, classes: [String]) throws -> [String: Double] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-coco-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let gt: [String: Any] = [
            "images": scene.images.map { ["id": $0, "width": 128, "height": 128] },
            "categories": classes.indices.map { ["id": $0 + 1, "name": classes[$0]] },
            "annotations": scene.truths.enumerated().map { index, box in
                ["id": index + 1, "image_id": box.imageID, "category_id": box.classIndex + 1, "iscrowd": 0,
                 "area": box.width * box.height, "bbox": [box.x, box.y, box.width, box.height]] as [String: Any]
            },
        ]
        let dt = scene.predictions.map { box in
            ["image_id": box.imageID, "category_id": box.classIndex + 1, "score": box.score,
             "bbox": [box.x, box.y, box.width, box.height]] as [String: Any]
        }
        try JSONSerialization.data(withJSONObject: gt).write(to: directory.appendingPathComponent("gt.json"))
        try JSONSerialization.data(withJSONObject: dt).write(to: directory.appendingPathComponent("dt.json"))
        let script = """
            import contextlib, io, json, sys
            import numpy as np
            from pycocotools.coco import COCO
            from pycocotools.cocoeval import COCOeval
            with contextlib.redirect_stdout(io.StringIO()):
                gt = COCO(sys.argv[1] + "/gt.json"); dt = gt.loadRes(sys.argv[1] + "/dt.json")
                e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
            out = {"map": e.stats[0], "ap50": e.stats[1], "ap75": e.stats[2], "ar100": e.stats[8]}
            for k in range(len(e.params.catIds)):
                p = e.eval["precision"][:, :, k, 0, 2]
                out["ap%d" % k] = float(np.mean(p[p > -1])) if (p > -1).any() else -1.0
            print(json.dumps(out))
            """
        guard let figures = try PythonJudge.run(script, arguments: [directory.path]) as? [String: Double] else {
            throw PythonJudge.Failed(output: "not numbers")
        }
        return figures
    }
}

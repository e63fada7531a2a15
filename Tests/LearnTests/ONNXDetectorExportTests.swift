import Foundation
@testable import Learn
import Testing

/// A trained detector exported to ONNX, judged by `onnx.checker` and run in onnxruntime: the graph's own
/// decoding and NonMaxSuppression give Quarry's detections, box for box (within 1e-3 of the image size,
/// the same class, the score within 1e-4), at every opset, folded or not, a batch at a time.
struct ONNXDetectorExportTests {
    struct Found: Decodable {
        let boxes: [[Float]]
        let scores: [Float]
        let labels: [Int]
        let batch: [Int]
    }

    struct Verdict: Decodable {
        let name: String
        let error: String?
        let found: Found?
    }

    @Test func onnxruntimeFindsQuarrysBoxes() throws {
        // Stride 8: 64 locations a class, fewer than the 100 boxes the graph keeps of each, and with Quarry's
        // limit of an image's boxes lifted, the two keep the same boxes.
        let (trainer, _) = try DrawnSquares.train(epochs: 12, stem: .imagenet)
        var decoder = trainer.decoder
        decoder.limit = 1000
        let side = DrawnSquares.side, batch = 6
        let images = Tensor(shape: [batch, 3, side, side], storage: DrawnSquares.images.prefix(batch).flatMap { $0 })
        let expected = try trainer.detect(images, decoder: decoder)
        #expect(expected.reduce(0) { $0 + $1.filter { $0.score > 0.3 }.count } >= batch, "the detector finds the squares")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-onnx-detector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(images.storage.withUnsafeBytes { Array($0) }).write(to: directory.appendingPathComponent("input.bin"))
        var names: [String] = []
        for opset in [13, 17] {
            for simplify in [false, true] {
                var options = ONNXExport.Options(inputShape: [1, 3, side, side])
                (options.opset, options.simplify) = (opset, simplify)
                let name = "fcos-\(opset)-\(simplify).onnx"
                try Data(try ONNXExport.export(trainer.model, options: options)).write(to: directory.appendingPathComponent(name))
                names.append(name)
            }
        }
        let verdicts = try JSONDecoder().decode([Verdict].self, from: TorchReference.python(Self.judge, stdin: JSONEncoder().encode(
            ["directory": directory.path, "models": names.joined(separator: ","), "shape": "\(batch),3,\(side),\(side)"])))
        #expect(verdicts.count == names.count)
        for verdict in verdicts {
            #expect(verdict.error == nil, "\(verdict.name): \(verdict.error ?? "")")
            guard let found = verdict.found else { continue }
            // Scores near the threshold may fall either side of it in the two runtimes' float arithmetic.
            let solid = expected.enumerated().flatMap { image, detections in detections.filter { $0.score > 0.06 }.map { (image, $0) } }
            for (image, detection) in solid {
                let match = found.labels.indices.contains { index in
                    found.batch[index] == image && found.labels[index] == detection.box.classIndex
                        && abs(found.scores[index] - detection.score) <= 1e-4
                        && zip(found.boxes[index], [detection.box.x1, detection.box.y1, detection.box.x2, detection.box.y2])
                            .allSatisfy { abs($0 - $1) <= 1e-3 * Float(side) }
                }
                #expect(match, "\(verdict.name): image \(image) lacks \(detection)")
            }
            let extra = found.scores.indices.filter { found.scores[$0] > 0.06 }.count
            #expect(extra == solid.count, "\(verdict.name): \(extra) boxes over 0.06 where Quarry has \(solid.count)")
        }
    }

    static let judge = """
        import json, sys, numpy as np, onnx, onnxruntime as ort
        request = json.loads(sys.stdin.read())
        shape = [int(v) for v in request["shape"].split(",")]
        x = np.fromfile(request["directory"] + "/input.bin", dtype=np.float32).reshape(shape)
        verdicts = []
        for name in request["models"].split(","):
            path = request["directory"] + "/" + name
            try:
                onnx.checker.check_model(onnx.load(path), full_check=True)
                session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
                boxes, scores, labels, batch = session.run(["boxes", "scores", "labels", "batch_index"], {"input": x})
                verdicts.append({"name": name, "found": {"boxes": boxes.tolist(), "scores": scores.tolist(),
                                                         "labels": labels.tolist(), "batch": batch.tolist()}})
            except Exception as error:
                verdicts.append({"name": name, "error": str(error)[:500]})
        print(json.dumps(verdicts))
        """
}

import Foundation
@testable import Learn
import Testing

/// The segmenter: its loss against central differences, its resizing against the definition, the pyramid's
/// gradients exactly (the backbone's and the plain layers' have their own checks; a sampled check of the
/// whole stack measures mostly float rounding), a short training on drawn squares, and its ONNX export
/// against onnxruntime.
struct SegmenterTests {
    @Test func pixelCrossEntropyGradientAndIgnoredPixels() {
        let shape = [2, 3, 2, 2]
        var random = Random(seed: 1)
        let output = (0..<24).map { _ in random.normal() }
        let labels: [[UInt8]] = [[0, 1, 2, PixelCrossEntropy.ignored], [2, 2, 0, 1]]
        let (loss, gradient) = PixelCrossEntropy().loss(output, shape: shape, labels: labels)
        #expect(loss > 0)
        for index in output.indices {
            var plus = output, minus = output
            (plus[index], minus[index]) = (output[index] + 1e-2, output[index] - 1e-2)
            let numeric = (Double(PixelCrossEntropy().loss(plus, shape: shape, labels: labels).loss)
                - Double(PixelCrossEntropy().loss(minus, shape: shape, labels: labels).loss)) / Double(plus[index] - minus[index])
            #expect(abs(numeric - Double(gradient[index])) < 1e-3, "value \(index)")
        }
        // The ignored pixel (image 0, location 3) gets no gradient in any class.
        #expect([3, 7, 11].allSatisfy { gradient[$0] == 0 })
    }

    @Test func bilinearTapsFollowHalfPixelCentersClampedAtTheEdges() {
        let taps = SegmentationDecoder.taps(from: 2, to: 4)
        #expect(taps.map(\.low) == [0, 0, 0, 1] && taps.map(\.high) == [1, 1, 1, 1])
        #expect(taps.map(\.weight) == [0, 0.25, 0.75, 0.25])
        // One class's logit rising left to right: the mask flips where the interpolated values cross.
        let output: [Float] = [0, 0, 1, -1]
        let mask = SegmentationDecoder().masks(output, shape: [1, 2, 1, 2], width: 4, height: 1)
        #expect(mask == [[1, 1, 0, 0]])
    }

    /// A pyramid over a backbone of plain convolutions is linear in its input and in each parameter, so a
    /// central difference of any step is exact but for rounding: with a step of 1, rounding is a thousandth
    /// of what the usual check's 1e-3 leaves, and every value is compared with no kink to hide behind, from
    /// a segmenter's first level and from a detector's.
    @Test(arguments: [0, 1]) func linearPyramidGradients(first: Int) {
        var random = Random(seed: 9)
        let parts: [[any Layer]] = [3, 4, 4, 4].map { inChannels in
            [Conv2DLayer(inChannels: inChannels, outChannels: 4, kernel: 3, stride: 2, padding: 1, random: &random)]
        }
        let pyramid = FeaturePyramid(backbone: FeatureStages(parts: parts, channels: [4, 4, 4, 4], strides: [2, 4, 8, 16]), first: first,
                                     channels: 2, random: &random)
        let input = ModelTests.images(2, 32, seed: 10)
        let output = pyramid.forward(input, training: true)
        let weights = Tensor.normal(output.shape, seed: 11)
        for parameter in pyramid.parameters { parameter.zeroGradient() }
        let inputGradient = pyramid.backward(weights)
        func loss(_ x: Tensor) -> Double {
            zip(pyramid.forward(x, training: true).storage, weights.storage).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        func difference(_ set: (Float) -> Void, at value: Float, _ evaluate: () -> Double) -> Double {
            set(value + 1)
            let up = evaluate()
            set(value - 1)
            let down = evaluate()
            set(value)
            return (up - down) / 2
        }
        var worst = 0.0
        for index in Swift.stride(from: 0, to: input.count, by: 7) {
            var moved = input
            let numeric = difference({ moved.storage[index] = $0 }, at: input.storage[index]) { loss(moved) }
            worst = max(worst, abs(numeric - Double(inputGradient.storage[index])))
        }
        for parameter in pyramid.parameters {
            for index in Swift.stride(from: 0, to: parameter.value.count, by: 3) {
                let numeric = difference({ parameter.value.storage[index] = $0 }, at: parameter.value.storage[index]) { loss(input) }
                worst = max(worst, abs(numeric - Double(parameter.gradient.storage[index])))
            }
        }
        #expect(worst < 1e-3, "worst gradient error \(worst)")
    }

    /// Each drawn square's pixels, class + 1, at `side` of the 64-pixel images.
    static func masks(side: Int) -> [[UInt8]] {
        let scale = Float(side) / Float(DrawnSquares.side)
        return DrawnSquares.truths.map { boxes in
            var mask = [UInt8](repeating: 0, count: side * side)
            for box in boxes {
                for y in 0..<side where (Float(y) + 0.5) / scale > box.y1 && (Float(y) + 0.5) / scale < box.y2 {
                    for x in 0..<side where (Float(x) + 0.5) / scale > box.x1 && (Float(x) + 0.5) / scale < box.x2 {
                        mask[y * side + x] = UInt8(box.classIndex + 1)
                    }
                }
            }
            return mask
        }
    }

    static func trained(epochs: Int) throws -> (SegmentationTrainer, [Float]) {
        var random = Random(seed: 5)
        let side = DrawnSquares.side
        let model = Segmenter.make(classes: 2, backbone: .resnet18, inputSize: side, width: 0.125, stem: .imagenet, random: &random)
        let labels = masks(side: side / model.stride)
        let batches = DrawnSquares.batches, size = DrawnSquares.batchSize
        let trainer = SegmentationTrainer(model: model, optimizer: AdamW(learningRate: 5e-3, weightDecay: 1e-4),
                                          schedule: LearningRateSchedule(kind: .cosine, baseLearningRate: 5e-3, totalSteps: epochs * batches),
                                          configuration: TrainingConfiguration(epochs: epochs))
        func batch(_ index: Int) -> SegmentationTrainer.Batch {
            (DrawnSquares.batch(index).images, Array(labels[index * size..<(index + 1) * size]))
        }
        var losses: [Float] = []
        _ = try trainer.run(from: nil, trainBatches: { _, start in AnySequence((start..<batches).map(batch)) }, batchesPerEpoch: batches,
                            validate: { _ in nil }, metrics: { _, _ in }, shouldStop: { false }, progress: { _, _, _ in },
                            epochDone: { metrics, _ in losses.append(metrics.trainLoss) })
        return (trainer, losses)
    }

    @Test func learnsTheDrawnSquaresPixels() throws {
        let (trainer, losses) = try Self.trained(epochs: 20)
        #expect(losses.last! < losses.first! / 4, "\(losses)")
        let truths = Self.masks(side: DrawnSquares.side)
        let found = try trainer.evaluateMasks(AnySequence((0..<DrawnSquares.batches).map { (DrawnSquares.batch($0).images, [[UInt8]](
            repeating: [UInt8](repeating: 0, count: 16 * 16), count: DrawnSquares.batchSize)) }))
        var (hit, union) = (0, 0)
        for (truth, mask) in zip(truths, found.masks) {
            for (t, p) in zip(truth, mask) where t != 0 || p != 0 {
                union += 1
                if t == p { hit += 1 }
            }
        }
        #expect(Double(hit) / Double(union) >= 0.8, "foreground IoU \(Double(hit) / Double(union))")
    }

    @Test func onnxruntimeGivesQuarrysMasks() throws {
        let (trainer, _) = try Self.trained(epochs: 6)
        let side = DrawnSquares.side, batch = 4
        let images = Tensor(shape: [batch, 3, side, side], storage: DrawnSquares.images.prefix(batch).flatMap { $0 })
        let (values, shape) = try trainer.infer(images)
        let expected = SegmentationDecoder().masks(values, shape: shape, width: side, height: side)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-onnx-segmenter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(images.storage.withUnsafeBytes { Array($0) }).write(to: directory.appendingPathComponent("input.bin"))
        var options = ONNXExport.Options(inputShape: [1, 3, side, side])
        options.simplify = true
        try Data(try ONNXExport.export(trainer.model, options: options)).write(to: directory.appendingPathComponent("model.onnx"))
        let output = try TorchReference.python(Self.judge, stdin: Data("\(directory.path)\n\(batch),3,\(side),\(side)".utf8))
        let classes = try JSONDecoder().decode([[UInt8]].self, from: output)
        #expect(classes.count == batch)
        let agreeing = zip(classes, expected).reduce(0) { $0 + zip($1.0, $1.1).filter { $0 == $1 }.count }
        // Only a pixel whose two best classes tie to the last bits may go either way.
        #expect(Double(agreeing) >= 0.999 * Double(batch * side * side), "\(agreeing) of \(batch * side * side) pixels agree")
    }

    static let judge = """
        import json, sys, numpy as np, onnx, onnxruntime as ort
        directory, shape = sys.stdin.read().split("\\n")
        path = directory + "/model.onnx"
        onnx.checker.check_model(onnx.load(path), full_check=True)
        x = np.fromfile(directory + "/input.bin", dtype=np.float32).reshape([int(v) for v in shape.split(",")])
        classes = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(["classes"], {"input": x})[0]
        print(json.dumps(classes.reshape(classes.shape[0], -1).tolist()))
        """
}

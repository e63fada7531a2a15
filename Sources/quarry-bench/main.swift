import Foundation
import Learn

/// Measurements `make bench` needs from inside Swift; each prints one line ending in its figure.
///
///     quarry-bench gemm N REPEATS     GFLOPS of an N×N by N×N single-precision multiply
///     quarry-bench train MODEL SIDE BATCH STEPS     training images/s (TrainBench)
///     quarry-bench gemm-shapes ROUNDS ResNet-18's convolution products, ours against OpenBLAS
///     quarry-bench thumbnails ZIP N   thumbnails of every JPEG in ZIP, N times (ThumbnailBench)
///     quarry-bench infer SIDE BATCH STEPS FILE   ResNet-18 inference images/s, the model written to FILE as ONNX (InferBench)
///     quarry-bench gpu-check | gpu-sgemm N REPEATS [tf32] [cublas] | gpu-gemm-shapes REPEATS [tf32]
///                  | gpu-train MODEL SIDE BATCH STEPS [tf32] [cublas]   on gpu:0 (GPUBench)
// As the server does (Serve.run), so that the figures are the server's.
Allocator.keepLargeBlocks()
let arguments = CommandLine.arguments.dropFirst()
do {
    switch Array(arguments) {
    case let args where args.count == 3 && args[0] == "gemm":
        guard let n = Int(args[1]), let repeats = Int(args[2]), n > 0, repeats > 0 else {
            FileHandle.standardError.write(Data("gemm needs a size and a repeat count\n".utf8))
            exit(2)
        }
        var random = Random(seed: 0)
        let a = (0..<n * n).map { _ in random.normal() }
        let b = (0..<n * n).map { _ in random.normal() }
        var c = [Float](repeating: 0, count: n * n)
        func multiply() {
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(a.baseAddress!, b.baseAddress!, c.baseAddress!, m: n, n: n, k: n)
                    }
                }
            }
        }
        multiply()
        let started = Date()
        for _ in 0..<repeats { multiply() }
        let seconds = Date().timeIntervalSince(started)
        print("sgemm \(n) GFLOPS \(2 * Double(n * n * n) * Double(repeats) / seconds / 1e9)")
    case let args where args.count == 5 && args[0] == "train":
        guard let side = Int(args[2]), let batch = Int(args[3]), let steps = Int(args[4]), side > 0, batch > 1, steps > 0,
              let imagesPerSecond = try TrainBench.run(model: args[1], side: side, batch: batch, steps: steps) else {
            FileHandle.standardError.write(Data("train needs a model (resnet18, mobilenet_v2, small_cnn), a side, a batch above 1 and steps\n".utf8))
            exit(2)
        }
        print("train \(args[1]) \(side) batch \(batch) images/s \(imagesPerSecond)")
    case let args where args.count == 2 && args[0] == "gemm-shapes" && Int(args[1]) != nil:
        GEMMShapes.run(rounds: Int(args[1])!)
    case let args where args.count == 3 && args[0] == "thumbnails": try ThumbnailBench.run(archive: args[1], repeats: Int(args[2]) ?? 1)
    case let args where args.count == 5 && args[0] == "infer":
        guard let side = Int(args[1]), let batch = Int(args[2]), let steps = Int(args[3]), side >= 32, batch > 0, steps > 0 else {
            FileHandle.standardError.write(Data("infer needs a side of at least 32, a batch, steps and a file\n".utf8))
            exit(2)
        }
        print("infer resnet18 \(side) batch \(batch) images/s \(try InferBench.run(side: side, batch: batch, steps: steps, file: args[4]))")
    case let args where (4...5).contains(args.count) && ["detect-train", "detect-infer"].contains(args[0]):
        guard let side = Int(args[1]), let batch = Int(args[2]), let steps = Int(args[3]), side >= 64, side % 32 == 0, batch > 0, steps > 0,
              (args[0] == "detect-train") == (args.count == 4) else {
            FileHandle.standardError.write(Data("\(args[0]) needs a side (a multiple of 32 from 64), a batch, steps\(args[0] == "detect-infer" ? " and a file" : "")\n".utf8))
            exit(2)
        }
        let imagesPerSecond = args[0] == "detect-train"
            ? try DetectionBench.train(side: side, batch: batch, steps: steps)
            : try DetectionBench.infer(side: side, batch: batch, steps: steps, file: args[4])
        print("\(args[0]) fcos_resnet18 \(side) batch \(batch) images/s \(imagesPerSecond)")
    case ["gpu-check"]:
        exit(try GPUBench.check() ? 0 : 1)
    case let args where args.count >= 3 && args[0] == "gpu-sgemm" && Int(args[1]) != nil && Int(args[2]) != nil:
        guard let options = GPUBench.Options(args[3...]) else { usage() }
        print("gpu-sgemm \(args[1]) TFLOPS \(try GPUBench.sgemm(n: Int(args[1])!, repeats: Int(args[2])!, options))")
    case let args where (2...3).contains(args.count) && args[0] == "gpu-gemm-shapes" && Int(args[1]) != nil:
        guard let options = GPUBench.Options(args[2...]), !options.cublas else { usage() }
        try GPUBench.shapes(repeats: Int(args[1])!, tf32: options.tf32)
    case let args where args.count >= 5 && args[0] == "gpu-train":
        guard let side = Int(args[2]), let batch = Int(args[3]), let steps = Int(args[4]), side > 0, batch > 1, steps > 0,
              let options = GPUBench.Options(args[5...]),
              let (imagesPerSecond, peak) = try GPUBench.train(model: args[1], side: side, batch: batch, steps: steps, options) else {
            FileHandle.standardError.write(Data("gpu-train needs a model (resnet18, mobilenet_v2, small_cnn), a side, a batch above 1 and steps, then tf32 or cublas\n".utf8))
            exit(2)
        }
        print("gpu-train \(args[1]) \(side) batch \(batch) images/s \(imagesPerSecond) peak_mb \(peak >> 20)")
    default:
        usage()
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: quarry-bench gemm N REPEATS | gemm-shapes ROUNDS | train MODEL SIDE BATCH STEPS | thumbnails ZIP N
                          | infer SIDE BATCH STEPS FILE | detect-train SIDE BATCH STEPS | detect-infer SIDE BATCH STEPS FILE
                          | gpu-check | gpu-sgemm N REPEATS [tf32] [cublas]
                          | gpu-gemm-shapes REPEATS [tf32] | gpu-train MODEL SIDE BATCH STEPS [tf32] [cublas]

        """.utf8))
    exit(2)
}

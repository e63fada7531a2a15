import Foundation
import Learn

/// Measurements `make bench` needs from inside Swift; each prints one line ending in its figure.
///
///     quarry-bench gemm N REPEATS     GFLOPS of an N×N by N×N single-precision multiply
let arguments = CommandLine.arguments.dropFirst()
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
case let args where args.count == 3 && args[0] == "thumbnails": try ThumbnailBench.run(archive: args[1], repeats: Int(args[2]) ?? 1)
default:
    FileHandle.standardError.write(Data("usage: quarry-bench gemm N REPEATS\n".utf8))
    exit(2)
}

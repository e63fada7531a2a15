import CUDA
import Foundation
import Learn
import LearnGPU

/// The GPU figures and checks, on gpu:0 of the driver `QUARRY_CUDA_LIBRARY` names (NVIDIA's by default,
/// the emulated device's in tests) with the kernels of `QUARRY_RESOURCES/cuda/kernels.ptx`
/// (Resources/cuda/kernels.ptx by default). bench/gpu/run.sh runs them beside PyTorch on the same card.
///
///     quarry-bench gpu-check              a training step of each zoo model against the CPU's; exit 1 on a mismatch
///     quarry-bench gpu-sgemm N REPEATS [tf32] [cublas]    TFLOPS at N×N by N×N
///     quarry-bench gpu-gemm-shapes REPEATS [tf32]         ours and cuBLAS's TFLOPS on the zoo's shape classes
///     quarry-bench gpu-train MODEL SIDE BATCH STEPS [tf32] [cublas]    training images/s and the step's peak device memory
///
/// `tf32` lets products run in TensorFloat-32; `cublas` sends them to cuBLAS (QUARRY_CUBLAS_LIBRARY, else
/// libcublas.so.12) rather than to our kernels.
enum GPUBench {
    struct Options {
        var tf32 = false
        var cublas = false

        /// The words after a command's numbers; nil for one it does not know.
        init?(_ words: ArraySlice<String>) {
            for word in words {
                switch word {
                case "tf32": tf32 = true
                case "cublas": cublas = true
                default: return nil
                }
            }
        }

        init() {}
    }

    static func backend(_ options: Options = Options()) throws -> GPUBackend {
        let environment = ProcessInfo.processInfo.environment
        let driver = try CUDADriver.open(environment["QUARRY_CUDA_LIBRARY"] ?? "libcuda.so.1")
        let ptxPath = "\(environment["QUARRY_RESOURCES"] ?? "Resources")/cuda/kernels.ptx"
        let ptx = try String(contentsOfFile: ptxPath, encoding: .utf8)
        var blas: CuBLAS?
        if options.cublas {
            let library = environment["QUARRY_CUBLAS_LIBRARY"] ?? "libcublas.so.12"
            guard let found = CuBLAS(library) else { throw GPUError.unavailable("cuBLAS (\(library)) could not be loaded") }
            blas = found
        }
        return try GPUBackend(kernels: GPUKernels(gpu: driver.device(0), ptx: ptx, blas: blas), tf32: options.tf32)
    }

    static func sgemm(n: Int, repeats: Int, _ options: Options) throws -> Double {
        try product(.nn, m: n, n: n, k: n, batch: 1, repeats: repeats, on: backend(options))
    }

    /// TFLOPS of `repeats` products of one shape, after one to warm up.
    static func product(_ layout: GPUBackend.GEMMLayout, m: Int, n: Int, k: Int, batch: Int, repeats: Int, on gpu: GPUBackend) throws -> Double {
        var random = Random(seed: 0)
        let a = gpu.upload(Tensor(shape: [batch * m * k], storage: (0..<batch * m * k).map { _ in random.normal() }))
        let b = gpu.upload(Tensor(shape: [batch * k * n], storage: (0..<batch * k * n).map { _ in random.normal() }))
        let c = gpu.zeros([batch * m * n])
        gpu.product(layout, m: m, n: n, k: k, batch: batch, a, b, into: c)
        try gpu.synchronize()
        let elapsed = try Stopwatch.seconds {
            for _ in 0..<repeats { gpu.product(layout, m: m, n: n, k: k, batch: batch, a, b, into: c) }
            try gpu.synchronize()
        }
        return 2 * Double(m * n * k * batch) * Double(repeats) / elapsed / 1e12
    }

    /// The classes of product the zoo's training steps are made of, at 224 px and batch 64 (each
    /// convolution multiplies per image, so `batch` is the batch's images): what the rule choosing
    /// cuBLAS or our kernels per class is measured on (docs/gpu.md).
    static let shapeClasses: [(name: String, layout: GPUBackend.GEMMLayout, m: Int, n: Int, k: Int, batch: Int)] = [
        ("square 4096", .nn, 4096, 4096, 4096, 1),
        ("conv forward, wide (64 out, 56×56, 3×3×64)", .nn, 64, 3136, 576, 64),
        ("conv forward, deep (512 out, 7×7, 3×3×512)", .nn, 512, 49, 4608, 64),
        ("conv weight gradient, wide", .nt, 64, 576, 3136, 64),
        ("conv input gradient, deep", .tn, 4608, 49, 512, 64),
        ("pointwise (MobileNetV2 1×1, 96 out, 28×28, 32 in)", .nn, 96, 784, 32, 64),
        ("classifier (batch 64, 512 → 1000)", .nn, 64, 1000, 512, 1),
    ]

    /// One line per shape class: ours, cuBLAS's and their ratio.
    static func shapes(repeats: Int, tf32: Bool) throws {
        var options = Options()
        options.tf32 = tf32
        let ours = try backend(options)
        options.cublas = true
        let theirs = try backend(options)
        for shape in shapeClasses {
            let figures = try [ours, theirs].map { try product(shape.layout, m: shape.m, n: shape.n, k: shape.k, batch: shape.batch,
                                                               repeats: repeats, on: $0) }
            print("gpu-gemm-shape \(tf32 ? "tf32" : "fp32") \(shape.layout) \(shape.m)x\(shape.n)x\(shape.k)x\(shape.batch) "
                  + "ours \(figures[0]) cublas \(figures[1]) ratio \(figures[0] / figures[1])  # \(shape.name)")
        }
    }

    /// TrainBench's step on gpu:0, and the most device memory a step held in blocks.
    static func train(model name: String, side: Int, batch: Int, steps: Int, _ options: Options) throws
        -> (imagesPerSecond: Double, peakBytes: Int)? {
        let gpu = try backend(options)
        gpu.gpu.allocator.resetPeaks()
        guard let imagesPerSecond = try TrainBench.run(model: name, side: side, batch: batch, steps: steps, on: gpu) else { return nil }
        return (imagesPerSecond, gpu.gpu.allocator.statistics.peakBytesInUse)
    }

    /// One training step of each zoo model on gpu:0 and on the CPU from the same weights and batch: the
    /// loss and every parameter afterwards must agree within 1e-4 (relative, absolute below 1). Prints a
    /// line a model and returns whether all agreed. The models, batch and step are the whole-step tests'
    /// (GPUModelTests): at initialization a deep network's step is so sensitive to rounding that two
    /// correct implementations of larger ones disagree by more than any useful tolerance. Measured on the
    /// CPU alone: one input value moved by 1e-6 moved MobileNetV2's clipped step (8 px, width 0.25, batch 4)
    /// by 4e-3, and one moved by 1e-5 its unclipped stem gradient by 1% at 64 px.
    static func check() throws -> Bool {
        let gpu = try backend()
        var agreed = true
        let models: [(String, Int, (any Backend, inout Random) -> Sequential)] = [
            ("small_cnn", 16, { SmallCNN.make(classes: 3, inputSize: 16, backend: $0, random: &$1) }),
            ("resnet18", 16, { ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .cifar, backend: $0, random: &$1) }),
            ("mobilenet_v2", 8, { MobileNetV2.make(classes: 3, inputSize: 8, width: 0.25, stem: .cifar, backend: $0, random: &$1) }),
        ]
        for (name, side, make) in models {
            var random = Random(seed: 2)
            let images = Tensor(shape: [2, 3, side, side], storage: (0..<2 * 3 * side * side).map { _ in random.normal() })
            let labels = [0, 2]
            var results: [(loss: Float, parameters: [[Float]])] = []
            for backend in [gpu, CPUBackend.shared] as [any Backend] {
                var seed = Random(seed: 0)
                let model = make(backend, &seed)
                backend.place(model)
                let result = backend.softmaxCrossEntropy(model.forward(backend.upload(images), training: true), labels: labels,
                                                         labelSmoothing: 0.1)
                try backend.synchronize()
                model.accumulateGradients(result.gradient)
                // Clipped, as runs may be: an unclipped first step of a narrow model can be large enough to
                // turn rounding differences into visible ones.
                backend.clipGradientNorm(model.parameters, maxNorm: 5)
                SGD(learningRate: 0.05, momentum: 0.9, backend: backend).step(model.parameters)
                results.append((result.loss, try model.parameters.map { try $0.value.hostValues() }))
            }
            var worst: Float = abs(results[0].loss - results[1].loss) / max(1, abs(results[1].loss))
            for (ours, theirs) in zip(results[0].parameters, results[1].parameters) {
                for (a, e) in zip(ours, theirs) { worst = max(worst, abs(a - e) / max(1, abs(e))) }
            }
            let ok = worst <= 1e-4
            agreed = agreed && ok
            print("gpu-check \(name) \(side)px: \(ok ? "ok" : "MISMATCH") largest relative difference \(worst)")
        }
        return agreed
    }
}

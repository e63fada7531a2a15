import Foundation

/// The emulated CUDA device of Tests/EmulatedGPU (`make emulated-gpu`) as test processes see it. The
/// emulator reads its settings once, at its first use in a process, and the test targets share one
/// process in any order, so every test that opens it first calls `configure()`, which sets the same
/// settings each time: three devices of 512 MiB.
public enum EmulatedDevice {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    public static let driverPath = "\(root)/.build/emulated-gpu/libcuda.so.1"
    public static let nvmlPath = "\(root)/.build/emulated-gpu/libnvidia-ml.so.1"
    public static let cublasPath = "\(root)/.build/emulated-gpu/libcublas.so.12"
    public static let ptxPath = "\(root)/Resources/cuda/kernels.ptx"
    public static let devices = 3

    /// Sets the emulator's environment; nil when the emulated driver is built, else why not.
    @discardableResult
    public static func configure() -> String? {
        setenv("QUARRY_EMULATED_GPUS", "\(devices)", 1)
        setenv("QUARRY_EMULATED_GPU_MEMORY_MB", "512", 1)
        return FileManager.default.fileExists(atPath: driverPath) ? nil : "\(driverPath) is missing: run `make emulated-gpu` (make test does)"
    }
}

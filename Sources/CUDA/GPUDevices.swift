import Foundation
import Synchronization

/// The machine's CUDA devices, found at run time: the driver (`libcuda.so.1`) for names, count and
/// version, NVML (`libnvidia-ml.so.1`) for free memory. No library, no device or a driver error all
/// mean "CPU only", logged once, never a crash. The driver is opened once, at the first `list()`; every
/// `list()` asks NVML again, so free memory is current.
public final class GPUDevices: Sendable {
    public struct GPU: Sendable, Equatable {
        public let index: Int
        public let name: String
        public let memoryTotalMB: Int
        /// nil when NVML is missing or does not answer.
        public let memoryFreeMB: Int?
    }

    public struct Listing: Sendable, Equatable {
        public let gpus: [GPU]
        /// The driver's CUDA version, such as "12.4"; nil without a driver.
        public let cudaVersion: String?
        /// Why there are no GPUs, when there are none.
        public let reason: String?
    }

    /// Opened on the first `list()`: `dlopen` and `cuInit` cost time on a GPU machine, and most
    /// processes that build the services (admin commands, restores, tests) never ask.
    private struct Libraries: Sendable {
        let driver: CUDADriver?
        let nvml: NVML?
        let failure: String?
    }

    private let driverLibrary: String
    private let nvmlLibrary: String
    private let libraries = Mutex<Libraries?>(nil)
    private let logged = Mutex(false)
    private let log: @Sendable (String) -> Void

    /// `driverLibrary` and `nvmlLibrary` default to the names NVIDIA's driver installs
    /// (`QUARRY_CUDA_LIBRARY` and `QUARRY_NVML_LIBRARY` override them, which the tests use).
    public init(driverLibrary: String = "libcuda.so.1", nvmlLibrary: String = "libnvidia-ml.so.1",
                log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }) {
        self.driverLibrary = driverLibrary
        self.nvmlLibrary = nvmlLibrary
        self.log = log
    }

    private func opened() -> Libraries {
        libraries.withLock { libraries in
            if let libraries { return libraries }
            let opened: Libraries
            do throws(GPUError) {
                let driver = try CUDADriver.open(driverLibrary)
                opened = Libraries(driver: driver, nvml: try? NVML(libraryName: nvmlLibrary), failure: nil)
            } catch {
                opened = Libraries(driver: nil, nvml: nil, failure: error.description)
            }
            libraries = opened
            return opened
        }
    }

    /// The driver these devices were listed from, to compute on them; nil when there is none.
    public func driver() -> CUDADriver? {
        opened().driver
    }

    /// How many GPUs the driver counts, and why none when it counts none: what checking a device
    /// needs, without the names and NVML's memory that `list()` asks each device for.
    public func count() -> (count: Int, reason: String?) {
        let libraries = opened()
        guard let driver = libraries.driver else { return (0, libraries.failure ?? "no CUDA driver") }
        do throws(GPUError) {
            let count = try driver.deviceCount()
            return (count, count == 0 ? "the CUDA driver found no device" : nil)
        } catch {
            return (0, error.description)
        }
    }

    public func list() -> Listing {
        let libraries = opened()
        guard let driver = libraries.driver else { return cpuOnly(libraries.failure ?? "no CUDA driver") }
        do throws(GPUError) {
            let cudaVersion = try driver.version()
            var gpus: [GPU] = []
            for index in 0..<(try driver.deviceCount()) {
                let (name, total) = try driver.properties(of: index)
                let free = (try? libraries.nvml?.memory(device: index)).flatMap { $0 }.map { Int($0.free / (1 << 20)) }
                gpus.append(GPU(index: index, name: name, memoryTotalMB: total / (1 << 20), memoryFreeMB: free))
            }
            return gpus.isEmpty ? cpuOnly("the CUDA driver \(cudaVersion) found no device", version: cudaVersion)
                : Listing(gpus: gpus, cudaVersion: cudaVersion, reason: nil)
        } catch {
            return cpuOnly(error.description)
        }
    }

    private func cpuOnly(_ reason: String, version: String? = nil) -> Listing {
        let first = logged.withLock { logged in defer { logged = true }; return !logged }
        if first { log("info: training on the CPU only: \(reason)") }
        return Listing(gpus: [], cudaVersion: version, reason: reason)
    }
}

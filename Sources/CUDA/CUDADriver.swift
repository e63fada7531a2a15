import Synchronization

/// A CUDA driver library, opened and initialized once per process and path (`libcuda.so.1`, or the
/// emulated device's stand-in in tests). Devices opened to compute are kept for the process: their
/// primary contexts, module and cached memory outlive any one run.
public final class CUDADriver: Sendable {
    let api: DriverAPI
    private let compute: Mutex<Result<ComputeAPI, GPUError>?> = Mutex(nil)
    private let devices: Mutex<[Int: CUDADevice]> = Mutex([:])

    private static let opened: Mutex<[String: CUDADriver]> = Mutex([:])

    /// The driver at `libraryName`, initialized; a failure (no library, a missing entry point, or the
    /// driver's own error such as no device) is thrown and not remembered, so a later call tries again.
    public static func open(_ libraryName: String) throws(GPUError) -> CUDADriver {
        try opened.withLock { (opened: inout [String: CUDADriver]) throws(GPUError) -> CUDADriver in
            if let driver = opened[libraryName] { return driver }
            var failure = ""
            guard let library = DynamicLibrary(libraryName, failure: &failure) else { throw .unavailable(failure) }
            let api = try DriverAPI(library, name: libraryName)
            try api.check(api.initialize(0), "cuInit")
            let driver = CUDADriver(api: api)
            opened[libraryName] = driver
            return driver
        }
    }

    private init(api: DriverAPI) {
        self.api = api
    }

    /// The CUDA version the driver supports, such as "12.4".
    public func version() throws(GPUError) -> String {
        var version: Int32 = 0
        try api.check(api.driverGetVersion(&version), "cuDriverGetVersion")
        return "\(version / 1000).\(version % 1000 / 10)"
    }

    public func deviceCount() throws(GPUError) -> Int {
        var count: Int32 = 0
        try api.check(api.deviceGetCount(&count), "cuDeviceGetCount")
        return Int(count)
    }

    /// A device's name and total memory in bytes, without opening it to compute.
    public func properties(of index: Int) throws(GPUError) -> (name: String, totalBytes: Int) {
        let device = try handle(of: index)
        var name = [CChar](repeating: 0, count: 256)
        try api.check(api.deviceGetName(&name, Int32(name.count - 1), device), "cuDeviceGetName")
        var total = 0
        try api.check(api.deviceTotalMem(&total, device), "cuDeviceTotalMem_v2")
        return (String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), total)
    }

    /// Device `index` opened to compute: its primary context retained, its allocator ready.
    public func device(_ index: Int) throws(GPUError) -> CUDADevice {
        let compute = try computeAPI()
        return try devices.withLock { (devices: inout [Int: CUDADevice]) throws(GPUError) -> CUDADevice in
            if let device = devices[index] { return device }
            let handle = try handle(of: index)
            let device = try CUDADevice(index: index, handle: handle, name: try properties(of: index).name,
                                        driver: api, compute: compute)
            devices[index] = device
            return device
        }
    }

    private func handle(of index: Int) throws(GPUError) -> Int32 {
        var device: Int32 = 0
        try api.check(api.deviceGet(&device, Int32(index)), "cuDeviceGet(\(index))")
        return device
    }

    private func computeAPI() throws(GPUError) -> ComputeAPI {
        try compute.withLock { (compute: inout Result<ComputeAPI, GPUError>?) throws(GPUError) -> ComputeAPI in
            if compute == nil {
                compute = Result { () throws(GPUError) -> ComputeAPI in try ComputeAPI(api.library, name: api.libraryName) }
            }
            return try compute!.get()
        }
    }
}

/// The NVIDIA Management Library's memory figures (https://docs.nvidia.com/deploy/nvml-api/): the
/// driver API only knows a device's total memory, NVML also what is free now.
struct NVML: Sendable {
    /// From nvmlMemory_t, three unsigned 64-bit counts of bytes: total, free, used.
    struct Memory {
        let total: UInt64
        let free: UInt64
    }

    typealias Init = @convention(c) () -> Int32
    typealias DeviceGetHandleByIndex = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias DeviceGetMemoryInfo = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt64>) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    private let library: DynamicLibrary
    private let deviceGetHandleByIndex: DeviceGetHandleByIndex
    private let deviceGetMemoryInfo: DeviceGetMemoryInfo
    private let errorString: ErrorString?

    init(libraryName: String) throws(GPUError) {
        var failure = ""
        guard let library = DynamicLibrary(libraryName, failure: &failure) else { throw .unavailable(failure) }
        guard let initialize = library.function("nvmlInit_v2", as: Init.self),
              let byIndex = library.function("nvmlDeviceGetHandleByIndex_v2", as: DeviceGetHandleByIndex.self),
              let memory = library.function("nvmlDeviceGetMemoryInfo", as: DeviceGetMemoryInfo.self) else {
            throw .unavailable("\(libraryName) lacks the NVML functions device listing needs")
        }
        (self.library, deviceGetHandleByIndex, deviceGetMemoryInfo) = (library, byIndex, memory)
        errorString = library.function("nvmlErrorString", as: ErrorString.self)
        try check(initialize(), "nvmlInit_v2")
    }

    /// Device `index`'s memory now. NVML and the driver count devices alike unless CUDA_VISIBLE_DEVICES
    /// reorders them, which a server run under systemd leaves alone.
    func memory(device index: Int) throws(GPUError) -> Memory {
        var handle: OpaquePointer?
        try check(deviceGetHandleByIndex(UInt32(index), &handle), "nvmlDeviceGetHandleByIndex_v2")
        var counts = [UInt64](repeating: 0, count: 3)
        try check(deviceGetMemoryInfo(handle, &counts), "nvmlDeviceGetMemoryInfo")
        return Memory(total: counts[0], free: counts[1])
    }

    private func check(_ result: Int32, _ call: String) throws(GPUError) {
        guard result != 0 else { return }
        throw .driver(call: call, code: result, name: "NVML error \(result)",
                      message: errorString?(result).map { String(cString: $0) } ?? "")
    }
}

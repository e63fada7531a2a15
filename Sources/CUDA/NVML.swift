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

    private let library: DynamicLibrary
    private let deviceGetHandleByIndex: DeviceGetHandleByIndex
    private let deviceGetMemoryInfo: DeviceGetMemoryInfo

    init(libraryName: String) throws(GPUError) {
        var failure = ""
        guard let library = DynamicLibrary(libraryName, failure: &failure) else { throw .unavailable(failure) }
        guard let initialize = library.function("nvmlInit_v2", as: Init.self),
              let byIndex = library.function("nvmlDeviceGetHandleByIndex_v2", as: DeviceGetHandleByIndex.self),
              let memory = library.function("nvmlDeviceGetMemoryInfo", as: DeviceGetMemoryInfo.self) else {
            throw .unavailable("\(libraryName) lacks the NVML functions device listing needs")
        }
        (self.library, deviceGetHandleByIndex, deviceGetMemoryInfo) = (library, byIndex, memory)
        let result = initialize()
        guard result == 0 else { throw .driver(call: "nvmlInit_v2", code: result) }
    }

    /// Device `index`'s memory now. NVML and the driver count devices alike unless CUDA_VISIBLE_DEVICES
    /// reorders them, which a server run under systemd leaves alone.
    func memory(device index: Int) throws(GPUError) -> Memory {
        var handle: OpaquePointer?
        var result = deviceGetHandleByIndex(UInt32(index), &handle)
        guard result == 0 else { throw .driver(call: "nvmlDeviceGetHandleByIndex_v2", code: result) }
        var counts = [UInt64](repeating: 0, count: 3)
        result = deviceGetMemoryInfo(handle, &counts)
        guard result == 0 else { throw .driver(call: "nvmlDeviceGetMemoryInfo", code: result) }
        return Memory(total: counts[0], free: counts[1])
    }
}

/// The few CUDA driver API entry points device discovery needs, declared here rather than taken from
/// cuda.h (https://docs.nvidia.com/cuda/cuda-driver-api/). Every call returns a CUresult, 0 on success.
struct Driver: Sendable {
    typealias Init = @convention(c) (UInt32) -> Int32
    typealias DriverGetVersion = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias DeviceGetCount = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias DeviceGet = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias DeviceGetName = @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32
    typealias DeviceTotalMem = @convention(c) (UnsafeMutablePointer<Int>, Int32) -> Int32

    private let library: DynamicLibrary
    let driverGetVersion: DriverGetVersion
    let deviceGetCount: DeviceGetCount
    let deviceGet: DeviceGet
    let deviceGetName: DeviceGetName
    let deviceTotalMem: DeviceTotalMem

    /// Opens the driver and initializes it; throws why not (no library, a missing entry point, or
    /// the driver's own error, such as no device).
    init(libraryName: String) throws(GPUError) {
        var failure = ""
        guard let library = DynamicLibrary(libraryName, failure: &failure) else { throw .unavailable(failure) }
        func load<T>(_ name: String, _ type: T.Type) throws(GPUError) -> T {
            guard let function = library.function(name, as: type) else { throw .unavailable("\(libraryName) has no \(name)") }
            return function
        }
        let initialize = try load("cuInit", Init.self)
        self.library = library
        driverGetVersion = try load("cuDriverGetVersion", DriverGetVersion.self)
        deviceGetCount = try load("cuDeviceGetCount", DeviceGetCount.self)
        deviceGet = try load("cuDeviceGet", DeviceGet.self)
        deviceGetName = try load("cuDeviceGetName", DeviceGetName.self)
        deviceTotalMem = try load("cuDeviceTotalMem_v2", DeviceTotalMem.self)
        try Self.check(initialize(0), "cuInit")
    }

    static func check(_ result: Int32, _ call: String) throws(GPUError) {
        guard result == 0 else { throw .driver(call: call, code: result) }
    }
}

public enum GPUError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The library or one of its functions is not there.
    case unavailable(String)
    /// A call failed with the driver's CUresult (or NVML's nvmlReturn_t).
    case driver(call: String, code: Int32)

    public var description: String {
        switch self {
        case .unavailable(let reason): reason
        case .driver(let call, let code): "\(call) failed with error \(code)"
        }
    }
}

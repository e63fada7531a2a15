/// The CUDA driver API entry points Quarry calls, declared here from the driver API reference
/// (https://docs.nvidia.com/cuda/cuda-driver-api/) rather than taken from cuda.h, and resolved from
/// the library at run time. Every call returns a CUresult, 0 on success. `DriverAPI` holds what
/// listing devices needs; `ComputeAPI` the rest, resolved only when a device is opened to compute, so a
/// driver too old to compute still lists.
struct DriverAPI: @unchecked Sendable {
    // @unchecked: tables of C function pointers, written once in init and only read after.
    typealias Handle = OpaquePointer?
    typealias Address = UInt64
    typealias ErrorText = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32

    let library: DynamicLibrary
    let libraryName: String
    let initialize: @convention(c) (UInt32) -> Int32
    let driverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let deviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    let deviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    let deviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Int32
    let deviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>, Int32) -> Int32
    /// Optional: a driver without them still reports its numeric codes.
    let errorName: ErrorText?
    let errorString: ErrorText?

    init(_ library: DynamicLibrary, name libraryName: String) throws(GPUError) {
        (self.library, self.libraryName) = (library, libraryName)
        initialize = try library.require("cuInit", from: libraryName)
        driverGetVersion = try library.require("cuDriverGetVersion", from: libraryName)
        deviceGetCount = try library.require("cuDeviceGetCount", from: libraryName)
        deviceGet = try library.require("cuDeviceGet", from: libraryName)
        deviceGetName = try library.require("cuDeviceGetName", from: libraryName)
        deviceTotalMem = try library.require("cuDeviceTotalMem_v2", from: libraryName)
        errorName = library.function("cuGetErrorName", as: ErrorText.self)
        errorString = library.function("cuGetErrorString", as: ErrorText.self)
    }

    /// Turns a CUresult into nothing (success) or an error naming the call and the driver's own words.
    func check(_ result: Int32, _ call: @autoclosure () -> String) throws(GPUError) {
        guard result != 0 else { return }
        throw .driver(call: call(), code: result, name: text(errorName, result) ?? "CUDA error \(result)",
                      message: text(errorString, result) ?? "")
    }

    /// The driver's name and message for a CUresult, as "CUDA_ERROR_OUT_OF_MEMORY: out of memory".
    func describe(_ result: Int32) -> String {
        let name = text(errorName, result) ?? "CUDA error \(result)"
        return text(errorString, result).map { "\(name): \($0)" } ?? name
    }

    private func text(_ function: ErrorText?, _ result: Int32) -> String? {
        var pointer: UnsafePointer<CChar>?
        guard let function, function(result, &pointer) == 0, let pointer else { return nil }
        return String(cString: pointer)
    }
}


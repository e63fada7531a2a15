/// PTX loaded on one device, and the kernels found in it by name.
public final class CUDAModule: @unchecked Sendable {
    // @unchecked: the handle is written once; cuModuleGetFunction is thread-safe.
    let device: CUDADevice
    let handle: OpaquePointer

    init(device: CUDADevice, handle: OpaquePointer) {
        (self.device, self.handle) = (device, handle)
    }

    deinit { device.release { $0.moduleUnload(handle) } }

    /// The kernel `name` (an `.entry` of the PTX).
    public func kernel(_ name: String) throws(GPUError) -> CUDAKernel {
        try device.makeCurrent()
        var function: OpaquePointer?
        let result = name.withCString { device.api.moduleGetFunction(&function, handle, $0) }
        try device.check(result, "cuModuleGetFunction(\(name))")
        guard let function else { throw .unavailable("cuModuleGetFunction gave no function for \(name)") }
        return CUDAKernel(name: name, handle: function, module: self)
    }
}

/// A kernel of a loaded module; it keeps the module loaded.
public struct CUDAKernel: @unchecked Sendable {
    // @unchecked: a function handle, valid while its module is loaded, which `module` ensures.
    public let name: String
    let handle: OpaquePointer
    let module: CUDAModule
}

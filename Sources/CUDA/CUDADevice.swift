import Synchronization

/// One GPU opened to compute: its primary context (the one CUDA's runtime and PyTorch share), the
/// caching allocator for its memory, and counts of what crossed between host and device.
public final class CUDADevice: Sendable {
    public let index: Int
    public let name: String
    let context: DeviceContext
    public let allocator: DeviceAllocator
    public let transfers = TransferCounts()

    init(index: Int, handle: Int32, name: String, driver: DriverAPI, compute: ComputeAPI) throws(GPUError) {
        var context: OpaquePointer?
        try driver.check(compute.primaryContextRetain(&context, handle), "cuDevicePrimaryCtxRetain(\(index))")
        guard let context else { throw .unavailable("cuDevicePrimaryCtxRetain gave no context for gpu:\(index)") }
        self.context = DeviceContext(index: index, device: handle, handle: context, driver: driver, api: compute)
        (self.index, self.name) = (index, name)
        allocator = DeviceAllocator(context: self.context)
    }

    deinit { _ = context.api.primaryContextRelease(context.device) }

    var api: ComputeAPI { context.api }

    func makeCurrent() throws(GPUError) { try context.makeCurrent() }

    func check(_ result: Int32, _ call: @autoclosure () -> String) throws(GPUError) {
        try context.check(result, call())
    }

    /// A device attribute (CUdevice_attribute), such as 75 and 76 for the compute capability.
    public func attribute(_ attribute: Int32) throws(GPUError) -> Int {
        var value: Int32 = 0
        try check(api.deviceGetAttribute(&value, attribute, context.device), "cuDeviceGetAttribute(\(attribute))")
        return Int(value)
    }

    /// Loads PTX text, which the driver compiles for this device.
    public func loadModule(ptx: String) throws(GPUError) -> CUDAModule {
        CUDAModule(device: self, handle: try make("cuModuleLoadData") { module in ptx.withCString { api.moduleLoadData(module, $0) } })
    }

    /// A stream that does not synchronize with the legacy default stream (CU_STREAM_NON_BLOCKING).
    public func makeStream() throws(GPUError) -> CUDAStream {
        CUDAStream(device: self, handle: try make("cuStreamCreate") { api.streamCreate($0, 1) })
    }

    /// An event for ordering streams, without timing (CU_EVENT_DISABLE_TIMING), which makes it cheaper.
    public func makeEvent() throws(GPUError) -> CUDAEvent {
        CUDAEvent(device: self, handle: try make("cuEventCreate") { api.eventCreate($0, 2) })
    }

    /// Page-locked host memory, which the device reads and writes by DMA, so copies from it can run
    /// while the host goes on.
    public func allocatePinned(bytes: Int) throws(GPUError) -> PinnedBuffer {
        precondition(bytes > 0, "a pinned buffer needs bytes")
        try makeCurrent()
        var pointer: UnsafeMutableRawPointer?
        try check(api.hostAllocate(&pointer, bytes), "cuMemAllocHost_v2(\(bytes))")
        guard let pointer else { throw .unavailable("cuMemAllocHost_v2 gave no memory") }
        return PinnedBuffer(device: self, pointer: pointer, bytes: bytes)
    }

    /// A driver object `create` makes into its out-parameter, in this device's context.
    private func make(_ call: String, _ create: (UnsafeMutablePointer<OpaquePointer?>) -> Int32) throws(GPUError) -> OpaquePointer {
        try makeCurrent()
        var handle: OpaquePointer?
        try check(create(&handle), call)
        guard let handle else { throw .unavailable("\(call) gave nothing") }
        return handle
    }

    /// Gives back a driver object as its owner goes; a failure then (a lost device) has nobody to tell.
    func release(_ destroy: (ComputeAPI) -> Int32) {
        try? makeCurrent()
        _ = destroy(api)
    }
}

/// Copies between host and device, counted so that tests can hold a training step to "only the batch
/// goes up, only the loss comes back".
public final class TransferCounts: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var hostToDevice = 0
        public var hostToDeviceBytes = 0
        public var deviceToHost = 0
        public var deviceToHostBytes = 0
    }

    private let counts = Mutex(Snapshot())

    public var snapshot: Snapshot { counts.withLock { $0 } }

    func countUp(bytes: Int) { counts.withLock { $0.hostToDevice += 1; $0.hostToDeviceBytes += bytes } }
    func countDown(bytes: Int) { counts.withLock { $0.deviceToHost += 1; $0.deviceToHostBytes += bytes } }
}

/// Page-locked host memory from `CUDADevice.allocatePinned`, freed when the last reference goes.
public final class PinnedBuffer: @unchecked Sendable {
    // @unchecked: whoever fills or reads the bytes orders that against the copies using them.
    public let pointer: UnsafeMutableRawPointer
    public let bytes: Int
    private let device: CUDADevice

    init(device: CUDADevice, pointer: UnsafeMutableRawPointer, bytes: Int) {
        (self.device, self.pointer, self.bytes) = (device, pointer, bytes)
    }

    deinit { device.release { $0.hostFree(pointer) } }
}

/// A device's primary context and the driver tables to use it. Driver calls need the context current
/// on the calling thread; every operation makes it so first, since the server's worker threads come and go.
struct DeviceContext: @unchecked Sendable {
    // @unchecked: handles written once; the driver itself is thread-safe.
    let index: Int
    let device: Int32
    let handle: OpaquePointer
    let driver: DriverAPI
    let api: ComputeAPI

    func makeCurrent() throws(GPUError) {
        try check(api.contextSetCurrent(handle), "cuCtxSetCurrent")
    }

    func check(_ result: Int32, _ call: @autoclosure () -> String) throws(GPUError) {
        try driver.check(result, call())
    }
}

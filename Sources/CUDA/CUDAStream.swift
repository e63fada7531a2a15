/// An ordered queue of work on one device: kernel launches, copies and fills run in the order they
/// are issued, after the host has moved on. Copies to and from the host are counted on the device.
public final class CUDAStream: @unchecked Sendable {
    // @unchecked: the handle is written once; the driver orders calls on a stream itself.
    public let device: CUDADevice
    let handle: OpaquePointer

    init(device: CUDADevice, handle: OpaquePointer) {
        (self.device, self.handle) = (device, handle)
    }

    deinit { device.release { $0.streamDestroy(handle) } }

    /// Queues `kernel` over `grid` blocks of `block` threads. The arguments are packed as the
    /// kernel's C signature reads them; the driver copies them at the call, so they need not outlive it.
    public func launch(_ kernel: CUDAKernel, grid: Dimensions, block: Dimensions, sharedBytes: Int = 0,
                       _ arguments: [KernelArgument]) throws(GPUError) {
        precondition(grid.isValid && block.isValid, "\(kernel.name): grid \(grid), block \(block)")
        try device.makeCurrent()
        let result = withUnsafeTemporaryAllocation(byteCount: max(1, arguments.count) * 8, alignment: 8) { values in
            withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(1, arguments.count)) { pointers in
                for (index, argument) in arguments.enumerated() {
                    let slot = values.baseAddress! + index * 8
                    argument.store(at: slot)
                    pointers[index] = slot
                }
                return device.api.launchKernel(
                    kernel.handle, UInt32(grid.x), UInt32(grid.y), UInt32(grid.z), UInt32(block.x), UInt32(block.y),
                    UInt32(block.z), UInt32(sharedBytes), handle, pointers.baseAddress, nil)
            }
        }
        try device.check(result, "cuLaunchKernel(\(kernel.name))")
    }

    /// Queues a copy of `bytes` from host memory to the device. From pageable memory the driver stages
    /// it and returns once the source may be reused; from a `PinnedBuffer` it returns at once.
    public func copy(from source: UnsafeRawPointer, to destination: UInt64, bytes: Int) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.copyHostToDevice(destination, source, bytes, handle), "cuMemcpyHtoDAsync_v2(\(bytes))")
        device.transfers.countUp(bytes: bytes)
    }

    /// Queues a copy of `bytes` from the device into host memory; the host may read it after `synchronize()`.
    public func copy(from source: UInt64, to destination: UnsafeMutableRawPointer, bytes: Int) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.copyDeviceToHost(destination, source, bytes, handle), "cuMemcpyDtoHAsync_v2(\(bytes))")
        device.transfers.countDown(bytes: bytes)
    }

    /// Queues a copy within the device (or between devices of one process with unified addressing).
    public func copy(from source: UInt64, toDevice destination: UInt64, bytes: Int) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.copyDeviceToDevice(destination, source, bytes, handle), "cuMemcpyDtoDAsync_v2(\(bytes))")
    }

    /// Queues setting `count` 32-bit words to `value` (0 for float zeros).
    public func fill(_ address: UInt64, words count: Int, with value: UInt32 = 0) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.memset32(address, value, count, handle), "cuMemsetD32Async(\(count))")
    }

    /// Marks this point of the stream; `event` completes when the work queued before it has run.
    public func record(_ event: CUDAEvent) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.eventRecord(event.handle, handle), "cuEventRecord")
    }

    /// Makes later work on this stream wait for `event` (recorded on another stream), without the host waiting.
    public func wait(for event: CUDAEvent) throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.streamWaitEvent(handle, event.handle, 0), "cuStreamWaitEvent")
    }

    /// Waits on the host until everything queued so far has run; a kernel's failure surfaces here.
    public func synchronize() throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.streamSynchronize(handle), "cuStreamSynchronize")
    }
}

/// A grid or block shape, x varying fastest.
public struct Dimensions: Sendable, Equatable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var z: Int

    public init(_ x: Int, _ y: Int = 1, _ z: Int = 1) {
        (self.x, self.y, self.z) = (x, y, z)
    }

    var isValid: Bool { x > 0 && y > 0 && z > 0 && x <= Int(UInt32.max) && y <= 65_535 && z <= 65_535 }

    public var description: String { "(\(x), \(y), \(z))" }
}

/// One kernel argument, stored as the C type of its parameter.
public enum KernelArgument: Sendable {
    /// A device address (`float *` and other pointers); 0 is a null pointer.
    case address(UInt64)
    case int32(Int32)
    case float(Float)
    case uint64(UInt64)

    /// An `int` parameter from a Swift count. The caller keeps counts in range: a value past Int32 is
    /// cut to its low 32 bits, so a backend refuses larger tensors before it launches anything.
    public static func int(_ value: Int) -> KernelArgument {
        .int32(Int32(truncatingIfNeeded: value))
    }

    /// A `long long` parameter.
    public static func int64(_ value: Int) -> KernelArgument {
        .uint64(UInt64(bitPattern: Int64(value)))
    }

    func store(at slot: UnsafeMutableRawPointer) {
        switch self {
        case .address(let value), .uint64(let value): slot.storeBytes(of: value, as: UInt64.self)
        case .int32(let value): slot.storeBytes(of: value, as: Int32.self)
        case .float(let value): slot.storeBytes(of: value, as: Float.self)
        }
    }
}

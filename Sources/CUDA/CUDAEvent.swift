/// A point in a stream's work, to order another stream after it, wait for it on the host, or time
/// the work between two of them.
public final class CUDAEvent: @unchecked Sendable {
    // @unchecked: the handle is written once; the driver synchronizes event use.
    let device: CUDADevice
    let handle: OpaquePointer

    init(device: CUDADevice, handle: OpaquePointer) {
        (self.device, self.handle) = (device, handle)
    }

    deinit {
        try? device.makeCurrent()
        _ = device.api.eventDestroy(handle)
    }

    /// Waits on the host until the work before this event's last record has run.
    public func synchronize() throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.eventSynchronize(handle), "cuEventSynchronize")
    }

    /// Milliseconds between `start`'s completion and this event's; both need timing enabled.
    public func milliseconds(since start: CUDAEvent) throws(GPUError) -> Float {
        try device.makeCurrent()
        var milliseconds: Float = 0
        try device.check(device.api.eventElapsedTime(&milliseconds, start.handle, handle), "cuEventElapsedTime")
        return milliseconds
    }
}

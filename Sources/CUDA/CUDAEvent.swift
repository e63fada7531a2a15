/// A point in a stream's work, to order another stream after it or wait for it on the host.
public final class CUDAEvent: @unchecked Sendable {
    // @unchecked: the handle is written once; the driver synchronizes event use.
    let device: CUDADevice
    let handle: OpaquePointer

    init(device: CUDADevice, handle: OpaquePointer) {
        (self.device, self.handle) = (device, handle)
    }

    deinit { device.release { $0.eventDestroy(handle) } }

    /// Waits on the host until the work before this event's last record has run.
    public func synchronize() throws(GPUError) {
        try device.makeCurrent()
        try device.check(device.api.eventSynchronize(handle), "cuEventSynchronize")
    }
}

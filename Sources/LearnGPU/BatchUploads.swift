import CUDA
import Learn
import Synchronization

/// How host tensors go up: through two page-locked staging buffers used in turn, copied on a stream of
/// their own. The host fills one buffer while the other's copy may still run, and the copy runs while
/// the compute stream works through what was queued before (a step's backward and update), which waits
/// for the copy only where the batch is first read. Pageable memory would make the driver stage every
/// copy itself, synchronously.
final class BatchUploads: Sendable {
    private struct Slot {
        var buffer: PinnedBuffer?
        /// Recorded after the slot's last copy; the host waits for it before refilling the buffer.
        let copied: CUDAEvent
        var inFlight = false
    }

    private struct State {
        var slots: [Slot]
        var next = 0
    }

    private let copies: CUDAStream
    /// Recorded on the compute stream before each copy: the destination block may have been released by
    /// compute work still queued, so the copy waits for that work.
    private let computeReady: CUDAEvent
    private let state: Mutex<State>

    init(gpu: CUDADevice) throws(GPUError) {
        copies = try gpu.makeStream()
        computeReady = try gpu.makeEvent()
        state = Mutex(State(slots: [Slot(copied: try gpu.makeEvent()), Slot(copied: try gpu.makeEvent())]))
    }

    /// Queues `tensor`'s values into `destination` (a fresh block of the compute stream's allocator) and
    /// makes `compute` wait for them.
    func upload(_ tensor: Tensor, to destination: UInt64, compute: CUDAStream) throws(GPUError) {
        let bytes = tensor.count * MemoryLayout<Float>.stride
        try upload(bytes: bytes, to: destination, compute: compute) { staging in
            tensor.storage.withUnsafeBytes { staging.copyMemory(from: $0.baseAddress!, byteCount: bytes) }
        }
    }

    /// Queues `bytes` that `fill` writes into the staging buffer (packing them as it likes) into
    /// `destination`, and makes `compute` wait for them.
    func upload(bytes: Int, to destination: UInt64, compute: CUDAStream, fill: (UnsafeMutableRawPointer) -> Void) throws(GPUError) {
        guard bytes > 0 else { return }
        try state.withLock { (state: inout State) throws(GPUError) in
            let index = state.next
            state.next = 1 - index
            if state.slots[index].inFlight { try state.slots[index].copied.synchronize() }
            if (state.slots[index].buffer?.bytes ?? 0) < bytes {
                state.slots[index].buffer = nil
                state.slots[index].buffer = try compute.device.allocatePinned(bytes: bytes)
            }
            let staging = state.slots[index].buffer!.pointer
            fill(staging)
            try compute.record(computeReady)
            try copies.wait(for: computeReady)
            try copies.copy(from: UnsafeRawPointer(staging), to: destination, bytes: bytes)
            try copies.record(state.slots[index].copied)
            state.slots[index].inFlight = true
            try compute.wait(for: state.slots[index].copied)
        }
    }
}

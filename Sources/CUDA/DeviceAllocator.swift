import Synchronization

/// Device memory for one GPU, cached by size class as PyTorch's allocator does: cuMemAlloc and
/// cuMemFree synchronize the device and cost far more than a step's kernels, while a training step asks
/// for the same sizes every time. A released block goes back to its class's free list and the next
/// request of that class takes it, so from the second step on a step allocates nothing from the driver.
///
/// Reuse is safe without events because every kernel and copy touching a block is queued on the
/// device's one compute stream (or ordered against it by events), in the order the host issued them:
/// work queued after a release runs after the work queued before it.
public final class DeviceAllocator: Sendable {
    public struct Statistics: Sendable, Equatable {
        /// Bytes in blocks handed out now, counted by their size class.
        public var bytesInUse = 0
        public var peakBytesInUse = 0
        /// Bytes allocated from the driver: in use plus cached.
        public var bytesHeld = 0
        public var peakBytesHeld = 0
        /// cuMemAlloc calls, and requests served from the cache instead.
        public var driverAllocations = 0
        public var reuses = 0
    }

    private struct State {
        var free: [Int: [UInt64]] = [:]
        var statistics = Statistics()
    }

    private let context: DeviceContext
    private let state = Mutex(State())

    init(context: DeviceContext) {
        self.context = context
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Starts the peaks again from what is in use and held now, as a new run begins.
    public func resetPeaks() {
        state.withLock { state in
            state.statistics.peakBytesInUse = state.statistics.bytesInUse
            state.statistics.peakBytesHeld = state.statistics.bytesHeld
        }
    }

    /// Rounds a request up to its class: 512-byte steps to 1 MiB, then eight classes per power of two,
    /// which wastes at most an eighth of a large block and lets nearby sizes share blocks.
    static func sizeClass(_ bytes: Int) -> Int {
        precondition(bytes > 0, "a device block needs bytes")
        if bytes <= 1 << 20 { return (bytes + 511) & ~511 }
        let step = 1 << (Int.bitWidth - 1 - (bytes - 1).leadingZeroBitCount - 3)
        return (bytes + step - 1) / step * step
    }

    /// A block of at least `bytes`. When the driver is out of memory, the cached blocks are given back
    /// and the allocation tried once more before it fails with what was asked and what was free.
    public func allocate(bytes: Int) throws(GPUError) -> DeviceMemory {
        let size = Self.sizeClass(bytes)
        let cached = state.withLock { state -> UInt64? in
            guard let address = state.free[size]?.popLast() else { return nil }
            state.statistics.reuses += 1
            state.statistics.bytesInUse += size
            state.statistics.peakBytesInUse = max(state.statistics.peakBytesInUse, state.statistics.bytesInUse)
            return address
        }
        if let cached { return DeviceMemory(address: cached, bytes: bytes, size: size, allocator: self) }
        try context.makeCurrent()
        var address: UInt64 = 0
        var result = context.api.memoryAllocate(&address, size)
        if result == 2 {  // CUDA_ERROR_OUT_OF_MEMORY
            try releaseCached()
            result = context.api.memoryAllocate(&address, size)
        }
        if result == 2 {
            var free = 0, total = 0
            _ = context.api.memoryGetInfo(&free, &total)
            throw .outOfMemory(device: context.index, requested: size, free: free, total: total,
                               message: context.driver.describe(result))
        }
        try context.check(result, "cuMemAlloc_v2(\(size))")
        state.withLock { state in
            state.statistics.driverAllocations += 1
            state.statistics.bytesInUse += size
            state.statistics.bytesHeld += size
            state.statistics.peakBytesInUse = max(state.statistics.peakBytesInUse, state.statistics.bytesInUse)
            state.statistics.peakBytesHeld = max(state.statistics.peakBytesHeld, state.statistics.bytesHeld)
        }
        return DeviceMemory(address: address, bytes: bytes, size: size, allocator: self)
    }

    /// Gives every cached block back to the driver, as a run ends or before retrying an allocation.
    public func releaseCached() throws(GPUError) {
        let blocks = state.withLock { state -> [(UInt64, Int)] in
            let blocks = state.free.flatMap { size, addresses in addresses.map { ($0, size) } }
            state.free = [:]
            state.statistics.bytesHeld -= blocks.reduce(0) { $0 + $1.1 }
            return blocks
        }
        guard !blocks.isEmpty else { return }
        try context.makeCurrent()
        for (address, _) in blocks { _ = context.api.memoryFree(address) }
    }

    fileprivate func recycle(_ address: UInt64, size: Int) {
        state.withLock { state in
            state.free[size, default: []].append(address)
            state.statistics.bytesInUse -= size
        }
    }
}

/// A block of device memory from a `DeviceAllocator`, returned to its cache when the last reference
/// goes. Its address is what kernels and copies take.
public final class DeviceMemory: Sendable {
    public let address: UInt64
    /// What was asked for; the block may be larger (its size class).
    public let bytes: Int
    let size: Int
    private let allocator: DeviceAllocator

    fileprivate init(address: UInt64, bytes: Int, size: Int, allocator: DeviceAllocator) {
        (self.address, self.bytes, self.size, self.allocator) = (address, bytes, size, allocator)
    }

    deinit { allocator.recycle(address, size: size) }
}

@testable import CUDA
import Foundation
import Learn
import LearnGPU
import Testing

/// The caching allocator on a device of its own (a private copy of the emulated driver, so no other
/// test's memory is counted): size classes, reuse of released blocks, and running out, with the cache
/// given back and the allocation tried again before it fails.
struct DeviceAllocatorTests {
    static let mebibyte = 1 << 20

    /// gpu:0 of a fresh copy of the emulated driver, 512 MiB (EmulatedGPU's settings).
    static func privateDevice() throws -> CUDADevice {
        _ = try EmulatedGPU.driver.get()
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("libcuda-\(UUID().uuidString).so.1").path
        try FileManager.default.copyItem(atPath: EmulatedGPU.driverPath, toPath: copy)
        // Once loaded the library stays mapped, so the file can go at once.
        defer { try? FileManager.default.removeItem(atPath: copy) }
        return try CUDADriver.open(copy).device(0)
    }

    @Test func sizeClassesWasteAtMostAnEighth() {
        #expect(DeviceAllocator.sizeClass(1) == 512 && DeviceAllocator.sizeClass(513) == 1024)
        #expect(DeviceAllocator.sizeClass(1 << 20) == 1 << 20)
        for bytes in [(1 << 20) + 1, 3 * (1 << 20) + 7, 100_000_000, 96 * Self.mebibyte] {
            let size = DeviceAllocator.sizeClass(bytes)
            #expect(size >= bytes && size - bytes <= bytes / 8, "\(bytes) → \(size)")
        }
    }

    @Test func releasedBlocksAreReusedAndTheCacheGivesWayBeforeMemoryRunsOut() throws {
        let allocator = try Self.privateDevice().allocator
        var blocks = [try allocator.allocate(bytes: 96 * Self.mebibyte), try allocator.allocate(bytes: 96 * Self.mebibyte)]
        blocks.removeLast()
        blocks.append(try allocator.allocate(bytes: 96 * Self.mebibyte))
        #expect(allocator.statistics.driverAllocations == 2 && allocator.statistics.reuses == 1)
        blocks = []
        #expect(allocator.statistics.bytesInUse == 0 && allocator.statistics.bytesHeld == 192 * Self.mebibyte)

        // 384 MiB does not fit beside the 192 the cache holds of 512; it fits once they are given back.
        let large = try allocator.allocate(bytes: 384 * Self.mebibyte)
        #expect(allocator.statistics.bytesHeld == 384 * Self.mebibyte && allocator.statistics.driverAllocations == 3)
        #expect(throws: GPUError.outOfMemory(device: 0, requested: 384 * Self.mebibyte, free: 128 * Self.mebibyte,
                                             total: 512 * Self.mebibyte, message: "CUDA_ERROR_OUT_OF_MEMORY: out of memory")) {
            try allocator.allocate(bytes: 384 * Self.mebibyte)
        }
        #expect(allocator.statistics.peakBytesHeld == 384 * Self.mebibyte && large.bytes == 384 * Self.mebibyte)
    }

    /// A tensor past the kernels' 32-bit indices fails the backend with the fix, before anything is
    /// allocated or launched.
    @Test func aTensorPastTwoToTheThirtyOneValuesFailsTheBackend() throws {
        let gpu = try GPUBackend(kernels: EmulatedGPU.kernels(0))
        _ = gpu.zeros([1 << 16, 1 << 15])
        #expect {
            try gpu.synchronize()
        } throws: { error in
            "\(error)".contains("2147483648 values") && "\(error)".contains("smaller batch_size")
        }
    }
}

@testable import CUDA
import Foundation
import Synchronization
import Testing

/// Device discovery against stand-in driver and NVML libraries compiled here with gcc (the entry points
/// with the driver's signatures and canned answers), so every path runs on a machine with no GPU.
struct GPUDevicesTests {
    static let driverSource = """
        #include <string.h>
        #include <stddef.h>
        int cuInit(unsigned flags) { return INIT_RESULT; }
        int cuDriverGetVersion(int *version) { *version = 12040; return 0; }
        int cuDeviceGetCount(int *count) { *count = DEVICES; return 0; }
        int cuDeviceGet(int *device, int ordinal) { *device = ordinal; return ordinal < DEVICES ? 0 : 101; }
        int cuDeviceGetName(char *name, int length, int device) {
            strncpy(name, device == 0 ? "Fake H100" : "Fake A100", (size_t)length); return 0;
        }
        int cuDeviceTotalMem_v2(size_t *bytes, int device) { *bytes = (size_t)(80 + device) << 30; return 0; }
        """

    static let nvmlSource = """
        typedef struct { unsigned long long total, free, used; } memory;
        int nvmlInit_v2(void) { return 0; }
        int nvmlDeviceGetHandleByIndex_v2(unsigned index, void **handle) { *handle = (void *)(long)(index + 1); return 0; }
        int nvmlDeviceGetMemoryInfo(void *handle, memory *m) {
            m->total = 80ULL << 30; m->free = (unsigned long long)(long)handle << 30; m->used = m->total - m->free; return 0;
        }
        """

    /// Compiles `source` with `defines` into a shared library in `directory`; returns its path.
    static func library(_ name: String, _ source: String, defines: [String] = [], in directory: String) throws -> String {
        let file = "\(directory)/\(name).c", output = "\(directory)/lib\(name).so"
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let gcc = Process()
        gcc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gcc.arguments = ["gcc", "-shared", "-fPIC", "-o", output, file] + defines.map { "-D\($0)" }
        try gcc.run()
        gcc.waitUntilExit()
        #expect(gcc.terminationStatus == 0, "gcc failed on \(name)")
        return output
    }

    static func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quarry-cuda-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    @Test func devicesComeFromTheDriverWithFreeMemoryFromNVML() throws {
        try Self.withDirectory { directory in
            let driver = try Self.library("cuda", Self.driverSource, defines: ["INIT_RESULT=0", "DEVICES=2"], in: directory)
            let nvml = try Self.library("nvml", Self.nvmlSource, in: directory)
            let listing = GPUDevices(driverLibrary: driver, nvmlLibrary: nvml, log: { _ in }).list()
            #expect(listing.cudaVersion == "12.4" && listing.reason == nil)
            #expect(listing.gpus == [GPUDevices.GPU(index: 0, name: "Fake H100", memoryTotalMB: 80 * 1024, memoryFreeMB: 1024),
                                     GPUDevices.GPU(index: 1, name: "Fake A100", memoryTotalMB: 81 * 1024, memoryFreeMB: 2048)])
            // Without NVML the devices are still there, their free memory unknown.
            let withoutNVML = GPUDevices(driverLibrary: driver, nvmlLibrary: "\(directory)/none.so", log: { _ in }).list()
            #expect(withoutNVML.gpus.map(\.memoryFreeMB) == [nil, nil] && withoutNVML.gpus.count == 2)
        }
    }

    /// What device checks ask: the driver's count, and why none.
    @Test func countIsTheDriversWithTheReasonForNone() throws {
        try Self.withDirectory { directory in
            let two = try Self.library("cuda", Self.driverSource, defines: ["INIT_RESULT=0", "DEVICES=2"], in: directory)
            #expect(GPUDevices(driverLibrary: two, log: { _ in }).count() == (2, nil))
            let none = try Self.library("none", Self.driverSource, defines: ["INIT_RESULT=0", "DEVICES=0"], in: directory)
            #expect(GPUDevices(driverLibrary: none, log: { _ in }).count() == (0, "the CUDA driver found no device"))
            let missing = GPUDevices(driverLibrary: "\(directory)/libcuda.so.1", log: { _ in }).count()
            #expect(missing.count == 0 && missing.reason?.contains("libcuda.so.1") == true)
        }
    }

    @Test func noLibraryNoDeviceOrADriverErrorMeanCPUOnlyLoggedOnce() throws {
        try Self.withDirectory { directory in
            let lines = Mutex<[String]>([])
            let missing = GPUDevices(driverLibrary: "\(directory)/libcuda.so.1", log: { line in lines.withLock { $0.append(line) } })
            for _ in 0..<3 { #expect(missing.list().gpus.isEmpty) }
            #expect(lines.withLock { $0.count } == 1)
            #expect(missing.list().cudaVersion == nil && missing.list().reason?.contains("libcuda.so.1") == true)

            let failing = try Self.library("failing", Self.driverSource, defines: ["INIT_RESULT=100", "DEVICES=1"], in: directory)
            let failed = GPUDevices(driverLibrary: failing, log: { _ in }).list()
            #expect(failed.gpus.isEmpty && failed.reason == "cuInit failed: CUDA error 100")

            let empty = try Self.library("empty", Self.driverSource, defines: ["INIT_RESULT=0", "DEVICES=0"], in: directory)
            let none = GPUDevices(driverLibrary: empty, log: { _ in }).list()
            #expect(none.gpus.isEmpty && none.cudaVersion == "12.4" && none.reason?.contains("no device") == true)
        }
    }

    @Test func aLibraryWithoutTheEntryPointsIsRefused() throws {
        try Self.withDirectory { directory in
            let other = try Self.library("other", "int unrelated(void) { return 0; }", in: directory)
            let listing = GPUDevices(driverLibrary: other, log: { _ in }).list()
            #expect(listing.gpus.isEmpty && listing.reason?.contains("cuInit") == true)
        }
    }
}

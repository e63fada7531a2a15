import CUDA
import Foundation
import Learn
import LearnGPU
import Storage
import Synchronization

/// The devices models compute on: the CPU, and the GPUs the CUDA driver lists. A GPU's kernels are
/// loaded the first time something computes on it and kept for the process; each run, evaluation,
/// export or pre-labeling gets a backend (a stream) of its own. How many are computing on each GPU is
/// counted, so the device listing can say a device is busy, and a device's cached memory goes back to
/// the driver when the last one leaves it.
public final class ComputeDevices: Sendable {
    public let gpus: GPUDevices
    /// Resources/cuda/kernels.ptx, or nil where the resources were not found (then no GPU computes).
    private let kernelsPath: String?
    private let cublasLibrary: String
    private let loaded = Mutex<[Int: GPUKernels]>([:])
    private let users = Mutex<[Int: Int]>([:])

    public init(gpus: GPUDevices, kernelsPath: String?, cublasLibrary: String = "libcublas.so.12") {
        (self.gpus, self.kernelsPath, self.cublasLibrary) = (gpus, kernelsPath, cublasLibrary)
    }

    /// Why `device` cannot compute here, or nil when it can: a GPU the driver does not count, named
    /// beside those it does. Asked at every experiment save and run start, so it counts devices rather
    /// than listing them.
    public func unavailability(_ device: Device) -> String? {
        guard case .gpu(let index) = device else { return nil }
        let (count, reason) = gpus.count()
        if index < count { return nil }
        guard count > 0 else { return "\(device) is not available: this server has no GPU (\(reason ?? "no driver"))" }
        return "\(device) is not available: this server has \((0..<count).map { "gpu:\($0)" }.joined(separator: ", "))"
    }

    /// Refuses `device` when it cannot compute here.
    func check(_ device: Device) throws(GPUUnavailable) {
        if let reason = unavailability(device) { throw GPUUnavailable(reason: reason) }
    }

    /// Refuses a selection naming a GPU that is not here. Whether it is a selection at all is the
    /// selection's to say (`DeviceSelection.problem`), a validation error rather than a missing device.
    func check(_ selection: DeviceSelection) throws(GPUUnavailable) {
        for device in selection.devices ?? [] { try check(device) }
    }

    /// Refuses a selection no process of the deployment is likely to take: a GPU neither this server nor a
    /// live process has, unless the deployment runs `quarry worker`s (one is live), where a worker with the
    /// GPU may yet join, so a run for it is queued and waits (`RunService.waitingReasons`). On SQLite this
    /// server is the only process there will be; a deployment with no worker refuses a mistyped GPU at once.
    func checkQueueable(_ selection: DeviceSelection, on database: any Database) throws {
        let live = try database.read { db in try ProcessRegistry.live(on: db) }
        let offered = Set(live.flatMap(\.devices))
        for device in selection.devices ?? [] where unavailability(device) != nil && !offered.contains(device.description) {
            guard live.contains(where: { $0.role == .worker }) else { try check(device); return }
        }
    }

    /// The device asked for, refused with the reason when it is neither here nor `offered`; with none
    /// asked for, the `preferred` one (a run's first) when it is here or offered, else the first GPU, else
    /// the CPU. `offered` names the devices live processes sharing the database take work for
    /// (`ProcessRegistry.live`): the job waits for one of them, so their devices are as good as this one's.
    func choose(_ asked: Device?, preferring preferred: Device, offered: Set<String> = []) throws(GPUUnavailable) -> Device {
        if let asked {
            if !offered.contains(asked.description) { try check(asked) }
            return asked
        }
        if unavailability(preferred) == nil || offered.contains(preferred.description) { return preferred }
        return gpus.count().count > 0 ? .gpu(0) : .cpu
    }

    /// Whether a run, evaluation or pre-labeling computes on GPU `index` now.
    public func isBusy(gpu index: Int) -> Bool {
        users.withLock { ($0[index] ?? 0) > 0 }
    }

    /// Runs `body` with a new backend on `device`, the device busy meanwhile.
    func compute<T>(on device: Device, tf32: Bool = false, _ body: (any Backend) throws -> T) throws -> T {
        try compute(on: [device], tf32: tf32) { try body($0[0]) }
    }

    /// Runs `body` with a new backend on each of `devices`, all busy meanwhile.
    func compute<T>(on devices: [Device], tf32: Bool = false, _ body: ([any Backend]) throws -> T) throws -> T {
        let backends = try devices.map { try backend(on: $0, tf32: tf32) }
        func occupy(_ remaining: ArraySlice<Device>) throws -> T {
            guard let device = remaining.first else { return try body(backends) }
            return try occupying(device) { try occupy(remaining.dropFirst()) }
        }
        return try occupy(devices[...])
    }

    /// A backend of its own (a stream) on `device`, products in TF32 where allowed; the CPU's is shared.
    func backend(on device: Device, tf32: Bool = false) throws -> any Backend {
        guard case .gpu(let index) = device else { return CPUBackend.shared }
        try check(device)
        return try GPUBackend(kernels: kernels(on: index), tf32: tf32)
    }

    /// Runs `body` with `device` marked busy. A GPU's cached memory is given back to the driver when its
    /// last user leaves, so an idle server holds none.
    func occupying<T>(_ device: Device, _ body: () throws -> T) rethrows -> T {
        guard case .gpu(let index) = device else { return try body() }
        users.withLock { $0[index, default: 0] += 1 }
        defer {
            let last = users.withLock { users -> Bool in
                users[index, default: 1] -= 1
                return users[index] == 0
            }
            if last, let kernels = loaded.withLock({ $0[index] }) { try? kernels.gpu.allocator.releaseCached() }
        }
        return try body()
    }

    private func kernels(on index: Int) throws -> GPUKernels {
        try loaded.withLock { loaded in
            if let kernels = loaded[index] { return kernels }
            guard let kernelsPath, let ptx = try? String(contentsOfFile: kernelsPath, encoding: .utf8) else {
                throw GPUUnavailable(reason: "the GPU kernels (Resources/cuda/kernels.ptx) were not found; set QUARRY_RESOURCES")
            }
            guard let driver = gpus.driver() else { throw GPUUnavailable(reason: "gpu:\(index) is not available: no CUDA driver") }
            let kernels = try GPUKernels(gpu: driver.device(index), ptx: ptx, blas: CuBLAS(cublasLibrary))
            loaded[index] = kernels
            return kernels
        }
    }
}

/// A GPU asked for that this server cannot compute on: one the driver does not list (the reason names
/// those it does), or any GPU where the driver or the kernels are missing.
public struct GPUUnavailable: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String

    public var description: String { reason }
}

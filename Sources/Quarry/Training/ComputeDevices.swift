import CUDA
import Foundation
import Learn
import LearnGPU
import Synchronization

/// The devices models compute on: the CPU, and the GPUs the CUDA driver lists. A GPU's kernels are
/// loaded the first time something computes on it and kept for the process; each run, evaluation,
/// export or pre-labeling gets a backend (a stream) of its own. Who is computing on which GPU is kept,
/// so the device listing can say a device is busy, and a device's cached memory goes back to the
/// driver when the last user leaves it.
public final class ComputeDevices: Sendable {
    public let gpus: GPUDevices
    /// Resources/cuda/kernels.ptx, or nil where the resources were not found (then no GPU computes).
    private let kernelsPath: String?
    private let loaded = Mutex<[Int: GPUKernels]>([:])
    private let users = Mutex<[Int: [String]]>([:])

    public init(gpus: GPUDevices, kernelsPath: String?) {
        (self.gpus, self.kernelsPath) = (gpus, kernelsPath)
    }

    /// Why `device` cannot compute here, or nil when it can: a GPU the driver does not list, named
    /// beside those it does.
    public func unavailability(_ device: Device) -> String? {
        guard case .gpu(let index) = device else { return nil }
        let listing = gpus.list()
        if listing.gpus.contains(where: { $0.index == index }) { return nil }
        guard !listing.gpus.isEmpty else { return "\(device) is not available: this server has no GPU (\(listing.reason ?? "no driver"))" }
        return "\(device) is not available: this server has \(listing.gpus.map { "gpu:\($0.index)" }.joined(separator: ", "))"
    }

    /// The device asked for, refused with the reason when it is not here; with none asked for, the
    /// `preferred` one (a run's) when it is here, else the first GPU, else the CPU.
    func choose(_ asked: String?, preferring preferred: String) throws(EvaluationError) -> Device {
        if let asked {
            guard let device = Device(asked) else { throw .invalid(field: "device", reason: "must be cpu or gpu:N") }
            if let reason = unavailability(device) { throw .invalid(field: "device", reason: reason) }
            return device
        }
        if let device = Device(preferred), unavailability(device) == nil { return device }
        return gpus.list().gpus.first.map { .gpu($0.index) } ?? .cpu
    }

    /// The users (run, evaluation or export ids) computing on GPU `index` now.
    public func users(ofGPU index: Int) -> [String] {
        users.withLock { $0[index] ?? [] }
    }

    /// Runs `body` with a backend on `device`, the device marked busy for `user` meanwhile. A GPU's
    /// cached memory is given back to the driver when its last user leaves, so an idle server holds none.
    func compute<T>(on device: Device, for user: String, _ body: (any Backend) throws -> T) throws -> T {
        guard case .gpu(let index) = device else { return try body(CPUBackend.shared) }
        if let reason = unavailability(device) { throw RunError.notStartable(reason) }
        let kernels = try kernels(on: index)
        users.withLock { $0[index, default: []].append(user) }
        defer {
            let last = users.withLock { users -> Bool in
                users[index]?.removeAll { $0 == user }
                return users[index]?.isEmpty ?? true
            }
            if last { try? kernels.gpu.allocator.releaseCached() }
        }
        return try body(try GPUBackend(kernels: kernels))
    }

    private func kernels(on index: Int) throws -> GPUKernels {
        try loaded.withLock { loaded in
            if let kernels = loaded[index] { return kernels }
            guard let kernelsPath, let ptx = try? String(contentsOfFile: kernelsPath, encoding: .utf8) else {
                throw RunError.notStartable("the GPU kernels (Resources/cuda/kernels.ptx) were not found; set QUARRY_RESOURCES")
            }
            guard let driver = gpus.driver() else { throw RunError.notStartable("gpu:\(index) is not available: no CUDA driver") }
            let kernels = try GPUKernels(gpu: driver.device(index), ptx: ptx)
            loaded[index] = kernels
            return kernels
        }
    }
}

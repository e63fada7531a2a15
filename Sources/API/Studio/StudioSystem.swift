import Foundation
import HTTP
import Quarry

/// `/api/system/health`, `/api/system/devices` and `/api/system/workspace`.
struct StudioSystem: Sendable {
    let services: Services

    /// `{status: "healthy", database: "ok", uptime_seconds, version}`; a server whose database does not answer is
    /// degraded, an error like any other (503 `UNAVAILABLE`), so a client that reads the envelope's
    /// `status` alone is not told it is `ok`. It needs no key, as `/v1/health` and `/healthz` do not:
    /// monitors probe it, and with the database down no key could be checked, so a keyed health check
    /// could never say so. A key it is given must be valid.
    func health(_ request: Request) throws -> Response {
        struct Health: Encodable {
            let status: String
            let database: String
            let uptime_seconds: Int
            let version: String
        }
        guard services.isHealthy else { throw APIError(.serviceUnavailable, "degraded: the database does not answer") }
        if let key = Auth.presentedKey(request), try services.accounts.authenticate(key: key) == nil { throw APIError.unauthorized }
        return Studio.ok(Health(status: "healthy", database: "ok", uptime_seconds: Int(Date().timeIntervalSince(services.startedAt)),
                                 version: QuarryVersion.current))
    }

    /// The CPU and every CUDA device, asked afresh (free memory changes); `default_selected` is the first
    /// GPU when there is one, else the CPU, as the spec says. A GPU something computes on (any account's
    /// run, evaluation or pre-labeling; which, is not said) is `busy`. Then the devices of every live
    /// `quarry worker`, each with its `host`: a run for `gpu:0` is taken by any process that has a `gpu:0`.
    func devices(_ request: Request, _ account: Account) throws -> Response {
        struct Device: Encodable {
            let id: String
            let name: String
            let type: String
            let cores: Int?
            let memory_total_mb: Int?
            let memory_free_mb: Int?
            let busy: Bool?
            /// The worker's machine, for a device of a `quarry worker`; absent for this server's own.
            var host: String?
        }
        struct Devices: Encodable {
            let devices: [Device]
            let cuda_available: Bool
            let cuda_version: String?
            let default_selected: [String]
            let reason: String?
        }
        let listing = services.gpus.list()
        let gpus = listing.gpus.map {
            Device(id: "gpu:\($0.index)", name: $0.name, type: "gpu", cores: nil, memory_total_mb: $0.memoryTotalMB,
                   memory_free_mb: $0.memoryFreeMB, busy: services.devices.isBusy(gpu: $0.index))
        }
        let cpu = Device(id: "cpu", name: "CPU", type: "cpu", cores: ProcessInfo.processInfo.activeProcessorCount,
                         memory_total_mb: nil, memory_free_mb: nil, busy: nil)
        let workers = try services.workerDevices().flatMap { worker in
            worker.devices.map { id in
                Device(id: id, name: "\(id) of \(worker.host)", type: id == "cpu" ? "cpu" : "gpu", cores: nil, memory_total_mb: nil,
                       memory_free_mb: nil, busy: nil, host: worker.host)
            }
        }
        let firstGPU = (gpus + workers).first { $0.type == "gpu" }
        return Studio.ok(Devices(devices: [cpu] + gpus + workers, cuda_available: firstGPU != nil, cuda_version: listing.cudaVersion,
                                 default_selected: [firstGPU?.id ?? "cpu"], reason: listing.reason))
    }

    func workspace(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(WorkspaceDocument(try services.workspace(accountID: account.id)))
    }
}

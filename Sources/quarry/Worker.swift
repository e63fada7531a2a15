import Dispatch
import Foundation
import HTTP
import Learn
import Quarry

/// `quarry worker --device gpu:0 [--device gpu:1] [--data DIR]` (or `QUARRY_WORKER_DEVICES=gpu:0,gpu:1`): a process on a GPU machine that serves
/// nothing and performs the deployment's queued work that asks for its devices (runs, evaluations and
/// pre-labels on those GPUs; with `--device cpu`, CPU work too). It shares the deployment's PostgreSQL
/// database and bucket, which it needs: a worker beside a SQLite deployment could reach neither.
enum Worker {
    static let usage = "quarry worker --device gpu:N [--device gpu:M ...] [--data DIR]"

    static func run(_ arguments: [String], environment: [String: String]) throws {
        var (devices, flags) = ([String](), [String]())
        var words = arguments[...]
        while let word = words.popFirst() {
            guard let value = words.popFirst() else { throw Configuration.Invalid(description: "\(word) needs a value; usage: \(usage)") }
            switch word {
            case "--device": devices.append(value)
            case "--data": flags += [word, value]
            default: throw Configuration.Invalid(description: "unknown option \(word); usage: \(usage)")
            }
        }
        if devices.isEmpty, let listed = environment["QUARRY_WORKER_DEVICES"] {
            devices = listed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard !devices.isEmpty else {
            throw Configuration.Invalid(description: "name the devices to take work for (--device, or QUARRY_WORKER_DEVICES); usage: \(usage)")
        }
        for name in devices where Device(name) == nil {
            throw Configuration.Invalid(description: "--device must be cpu or gpu:N, not '\(name)'")
        }
        let configuration = try Configuration(environment: environment, flags: flags)
        var settings = configuration.services
        guard settings.databaseURL != nil, environment["QUARRY_BLOB_STORE", default: ""].hasPrefix("s3://") else {
            throw Configuration.Invalid(description: """
                a worker shares a deployment's PostgreSQL database and bucket: set QUARRY_DATABASE_URL and QUARRY_BLOB_STORE \
                (with QUARRY_S3_*) as the servers have them; on one machine, quarry serve performs the work itself
                """)
        }
        settings.isWorker = true
        // Claiming starts once the devices are checked: a worker refused for a GPU it lacks takes no job first.
        settings.performsWork = false
        settings.workDevices = WorkDevices(names: Array(Set(devices)).sorted())
        ResourceLimits.raiseOpenFileLimit()
        Allocator.keepLargeBlocks()
        let stop = StopSignals()
        let services = try Services(dataDirectory: configuration.dataDirectory, settings: settings)
        for device in settings.workDevices?.names ?? [] {
            if let problem = services.devices.unavailability(Device(device)!) {
                services.close()
                throw Configuration.Invalid(description: problem)
            }
        }
        try services.recoverFromLastProcess()
        try services.startWork()
        let offered = settings.workDevices?.description ?? ""
        Output.log("worker taking work for \(offered)")
        let systemd = SystemdNotify()
        systemd.ready(status: "taking work for \(offered)")
        let loops = [
            BackgroundLoop(name: "quarry-heartbeat", interval: Services.heartbeatInterval) {
                do { try services.keepAlive() } catch { Output.log("error: heartbeat failed: \(error)") }
            },
            BackgroundLoop(name: "quarry-trim", interval: .seconds(60)) { Allocator.returnFreeMemory() },
        ]
        stop.wait()
        systemd.stopping()
        loops.forEach { $0.stop() }
        Output.log("shutting down: work under way stops at its next safe point and waits for another process")
        StopSignals.close(services, grace: configuration.limits.shutdownGrace)
    }
}

import API
import Dispatch
import Foundation
import Learn
import HTTP
import Quarry

/// `quarry serve`: open the data directory, bind, serve until SIGTERM or SIGINT, then drain and
/// close the database cleanly.
enum Serve {
    static func run(_ configuration: Configuration) throws {
        ResourceLimits.raiseOpenFileLimit()
        // Before any training, evaluation or export allocates its first activations.
        Allocator.keepLargeBlocks()
        // A client that vanishes mid-write must not kill the process; send() reports EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        let stop = StopSignals()

        var settings = configuration.services
        settings.webhookBody = App.webhookBody
        let services = try Services(dataDirectory: configuration.dataDirectory, settings: settings)
        try services.recoverFromLastProcess()
        var appConfiguration = App.Configuration(adminKey: configuration.adminKey, limits: configuration.limits,
                                                 maxUploadBytes: configuration.maxUploadBytes, egressIP: configuration.egressIP)
        if let name = configuration.studioAccount {
            let (account, created) = try services.accounts.ensure(name: name)
            appConfiguration.studioAccountID = account.id
            appConfiguration.studioAccountLoopbackOnly = !configuration.studioAccountAnyAddress
            Output.log("studio single-user mode: Studio requests without credentials act as account '\(account.name)' (\(account.id))"
                + (created ? ", created now; `quarry admin account rotate-key \(account.name)` prints a key for the other APIs" : ""))
        }
        let metrics = RequestMetrics()
        appConfiguration.requestMetrics = metrics
        appConfiguration.trustedProxies = configuration.trustedProxies
        let app = App(services: services, configuration: appConfiguration)
        let server = Server(router: app.router, limits: configuration.limits, spoolDirectory: services.spoolDirectory,
                            errorResponder: app.errorResponder, accessLog: configuration.accessLog,
                            eventLoops: configuration.eventLoops, metrics: metrics, cors: configuration.cors)
        let port = try server.start(host: configuration.host, port: configuration.port)
        let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        Output.log("listening on \(shown):\(port)")
        let systemd = SystemdNotify()
        systemd.ready(status: "listening on \(shown):\(port)")

        let background = BackgroundWork(services)
        stop.wait()
        systemd.stopping()
        background.stop()
        Output.log("shutting down: finishing requests in flight")
        server.shutdown()
        StopSignals.close(services, grace: configuration.limits.shutdownGrace)
    }
}

/// The loops that keep durable work moving (webhook deliveries, job expiry and blob collection), and
/// the one that hands free heap memory back, so RSS follows what is in use.
/// Each reads its state from SQLite, so after a restart they pick up where the last process stopped.
private struct BackgroundWork {
    let loops: [BackgroundLoop]

    init(_ services: Services) {
        loops = [
            BackgroundLoop(name: "quarry-webhooks", interval: .seconds(1)) { services.webhooks.dispatchDue() },
            BackgroundLoop(name: "quarry-heartbeat", interval: Services.heartbeatInterval) {
                do { try services.keepAlive() } catch { Output.log("error: heartbeat failed: \(error)") }
            },
            BackgroundLoop(name: "quarry-expiry", interval: services.settings.expirySweepInterval) {
                do { try services.expireJobs() } catch { Output.log("error: expiry sweep failed: \(error)") }
            },
            BackgroundLoop(name: "quarry-blobs", interval: .seconds(900)) {
                do {
                    let removed = try services.collectBlobs()
                    if removed > 0 { Output.log("collected \(removed) unreferenced blobs") }
                } catch {
                    Output.log("error: blob collection failed: \(error)")
                }
            },
            BackgroundLoop(name: "quarry-trim", interval: .seconds(60)) { Allocator.returnFreeMemory() },
        ]
    }

    func stop() { loops.forEach { $0.stop() } }
}

enum Output {
    static func log(_ line: String) { Diagnostics.log(line) }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data("\(line)\n".utf8))
    }
}

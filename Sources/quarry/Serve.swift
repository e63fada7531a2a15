import API
import Dispatch
import Foundation
import HTTP
import Quarry

/// `quarry serve`: open the data directory, bind, serve until SIGTERM or SIGINT, then drain and
/// close the database cleanly.
enum Serve {
    static func run(_ configuration: Configuration) throws {
        ResourceLimits.raiseOpenFileLimit()
        // A client that vanishes mid-write must not kill the process; send() reports EPIPE instead.
        signal(SIGPIPE, SIG_IGN)

        let services = try Services(dataDirectory: configuration.dataDirectory, imageLimits: configuration.imageLimits,
                                    blobGracePeriod: configuration.blobGracePeriod)
        let app = App(services: services, configuration: App.Configuration(
            adminKey: configuration.adminKey, limits: configuration.limits, maxUploadBytes: configuration.maxUploadBytes))
        let server = Server(router: app.router, limits: configuration.limits, spoolDirectory: services.spoolDirectory,
                            errorResponder: app.errorResponder, accessLog: configuration.accessLog,
                            eventLoops: configuration.eventLoops)
        let port = try server.start(host: configuration.host, port: configuration.port)
        let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        Output.log("listening on \(shown):\(port)")

        let sweeper = blobSweeper(services)
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        sweeper.cancel()
        Output.log("shutting down: finishing requests in flight")
        server.shutdown()
        services.close()
        Output.log("stopped")
        withExtendedLifetime(sources) {}
    }
}

/// Collects unreferenced blobs every 15 minutes (deletes collect right away what is past the grace period).
private func blobSweeper(_ services: Services) -> DispatchSourceTimer {
    let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "quarry.blob-sweeper", qos: .background))
    timer.schedule(deadline: .now() + .seconds(60), repeating: .seconds(900))
    timer.setEventHandler {
        do {
            let removed = try services.collectBlobs()
            if removed > 0 { Output.log("collected \(removed) unreferenced blobs") }
        } catch {
            Output.log("error: blob collection failed: \(error)")
        }
    }
    timer.resume()
    return timer
}

enum Output {
    static func log(_ line: String) { Diagnostics.log(line) }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data("\(line)\n".utf8))
    }
}

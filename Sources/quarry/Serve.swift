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

        let services = try Services(dataDirectory: configuration.dataDirectory)
        let app = App(services: services, configuration: App.Configuration(adminKey: configuration.adminKey))
        let server = Server(router: app.router, limits: configuration.limits, spoolDirectory: services.spoolDirectory,
                            errorResponder: app.errorResponder, accessLog: configuration.accessLog,
                            eventLoops: configuration.eventLoops)
        let port = try server.start(host: configuration.host, port: configuration.port)
        let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        Output.log("listening on \(shown):\(port)")

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
        Output.log("shutting down: finishing requests in flight")
        server.shutdown()
        services.close()
        Output.log("stopped")
        withExtendedLifetime(sources) {}
    }
}

enum Output {
    static func log(_ line: String) { Diagnostics.log(line) }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data("\(line)\n".utf8))
    }
}

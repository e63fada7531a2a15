import API
import Foundation
import HTTP
import Quarry
import Storage

/// Settings from `QUARRY_*` environment variables, overridden by flags. README.md's configuration
/// table lists every one; keep the two in step.
struct Configuration {
    var host = "127.0.0.1"
    var port = 8080
    var dataDirectory = "./data"
    var adminKey: String?
    var eventLoops = ProcessInfo.processInfo.activeProcessorCount
    var accessLog = true
    var limits = Limits()
    var maxUploadBytes = 1 << 30
    var egressIP: String?
    var trustedProxies: [AddressBlock] = []
    /// Off unless `QUARRY_CORS_ORIGINS` names origins.
    var cors: CORSPolicy?
    /// The Studio's single-user mode: Studio requests without credentials act as this account.
    var studioAccount: String?
    var studioAccountAnyAddress = false
    var services = Services.Settings()

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads the environment, then applies `flags` (`--host H`, `--port P`, `--data DIR`).
    init(environment: [String: String], flags: [String]) throws {
        let reader = EnvironmentReader(environment: environment)
        host = reader.string("QUARRY_HOST") ?? host
        port = try reader.integer("QUARRY_PORT", in: 0...65535) ?? port
        dataDirectory = reader.string("QUARRY_DATA_DIR") ?? dataDirectory
        adminKey = reader.string("QUARRY_ADMIN_KEY")
        eventLoops = try reader.integer("QUARRY_EVENT_LOOPS", in: 1...256) ?? eventLoops
        accessLog = try reader.boolean("QUARRY_ACCESS_LOG") ?? accessLog
        limits.handlerThreads = try reader.integer("QUARRY_HANDLER_THREADS", in: 1...1024) ?? limits.handlerThreads
        limits.maxConnections = try reader.integer("QUARRY_MAX_CONNECTIONS", in: 1...1_000_000) ?? limits.maxConnections
        limits.maxHeadBytes = try reader.integer("QUARRY_MAX_HEADER_BYTES", in: 1024...1 << 20) ?? limits.maxHeadBytes
        limits.maxHeaderCount = try reader.integer("QUARRY_MAX_HEADER_COUNT", in: 8...10_000) ?? limits.maxHeaderCount
        limits.defaultMaxBodyBytes = try reader.integer("QUARRY_MAX_BODY_BYTES", in: 1024...Int(Int32.max)) ?? limits.defaultMaxBodyBytes
        limits.headerReadTimeout = try reader.seconds("QUARRY_HEADER_TIMEOUT") ?? limits.headerReadTimeout
        limits.bodyReadTimeout = try reader.seconds("QUARRY_BODY_TIMEOUT") ?? limits.bodyReadTimeout
        limits.idleTimeout = try reader.seconds("QUARRY_IDLE_TIMEOUT") ?? limits.idleTimeout
        limits.shutdownGrace = try reader.seconds("QUARRY_SHUTDOWN_GRACE") ?? limits.shutdownGrace
        maxUploadBytes = try reader.integer("QUARRY_MAX_UPLOAD_BYTES", in: 1024...(1 << 40)) ?? maxUploadBytes
        services.imageLimits.maxPixels = try reader.integer("QUARRY_MAX_IMAGE_PIXELS", in: 1...1_000_000_000) ?? services.imageLimits.maxPixels
        services.blobGracePeriod = try reader.seconds("QUARRY_BLOB_GRACE", allowZero: true) ?? services.blobGracePeriod
        services.expirySweepInterval = try reader.seconds("QUARRY_EXPIRY_SWEEP") ?? services.expirySweepInterval
        services.webhooks.firstRetryDelay = try reader.seconds("QUARRY_WEBHOOK_RETRY_DELAY") ?? services.webhooks.firstRetryDelay
        services.fetchLimits.maxBytes = try reader.integer("QUARRY_MAX_DOWNLOAD_BYTES", in: 1024...(1 << 40)) ?? services.fetchLimits.maxBytes
        services.fetchLimits.totalTimeout = try reader.seconds("QUARRY_DOWNLOAD_TIMEOUT") ?? services.fetchLimits.totalTimeout
        do {
            services.addressPolicy = try AddressPolicy(setting: reader.string("QUARRY_ALLOW_PRIVATE_URLS"))
        } catch {
            throw Invalid(description: "QUARRY_ALLOW_PRIVATE_URLS: \(error)")
        }
        services.importRoot = reader.string("QUARRY_IMPORT_ROOT")
        services.weightsFolder = reader.string("QUARRY_WEIGHTS_DIR")
        services.maxWeightsBytes = try reader.integer("QUARRY_MAX_WEIGHTS_BYTES", in: 1024...(1 << 40)) ?? services.maxWeightsBytes
        services.trainingConcurrency = try reader.integer("QUARRY_TRAINING_CONCURRENCY", in: 1...64) ?? services.trainingConcurrency
        services.cudaLibrary = reader.string("QUARRY_CUDA_LIBRARY") ?? services.cudaLibrary
        services.nvmlLibrary = reader.string("QUARRY_NVML_LIBRARY") ?? services.nvmlLibrary
        services.cublasLibrary = reader.string("QUARRY_CUBLAS_LIBRARY") ?? services.cublasLibrary
        egressIP = reader.string("QUARRY_EGRESS_IP")
        services.blobStorage = try Self.blobStorage(reader)
        services.databaseURL = try reader.string("QUARRY_DATABASE_URL").map { try Self.databaseURL($0, setting: "QUARRY_DATABASE_URL") }
        services.databaseConnections = try reader.integer("QUARRY_DATABASE_CONNECTIONS", in: 1...1000) ?? services.databaseConnections
        services.blobCacheBytes = try reader.integer("QUARRY_BLOB_CACHE_BYTES", in: (64 << 20)...(1 << 50)) ?? services.blobCacheBytes
        do {
            services.publicURL = try reader.string("QUARRY_PUBLIC_URL").map { try PublicURLs.checked(publicURL: $0) }
            cors = try reader.string("QUARRY_CORS_ORIGINS").map { try CORSPolicy(origins: $0) }
        } catch {
            throw Invalid(description: "\(error)")
        }
        do {
            trustedProxies = try reader.string("QUARRY_TRUSTED_PROXIES").map { try AddressBlock.list(parsing: $0) } ?? []
        } catch {
            throw Invalid(description: "QUARRY_TRUSTED_PROXIES: \(error)")
        }
        studioAccount = reader.string("QUARRY_STUDIO_ACCOUNT")
        studioAccountAnyAddress = try reader.boolean("QUARRY_STUDIO_ACCOUNT_ANY_ADDRESS") ?? false
        try apply(flags: flags)
        services.listenURL = listenURL
        if studioAccount != nil && !studioAccountAnyAddress && !Authority.isLoopback(host) {
            throw Invalid(description: "QUARRY_STUDIO_ACCOUNT answers Studio requests without credentials, so it listens on loopback only "
                + "(QUARRY_HOST 127.0.0.1, ::1 or localhost, not '\(host)'); set QUARRY_STUDIO_ACCOUNT_ANY_ADDRESS=1 to serve it on '\(host)'")
        }
    }

    /// Where `quarry serve` is reached on this machine, as a URL: the listen host and port, a wildcard
    /// (`0.0.0.0`, `::`) read as loopback, since a link must name one address.
    var listenURL: String {
        let reachable = switch host {
        case "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        default: host
        }
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)"
    }

    private mutating func apply(flags: [String]) throws {
        var remaining = flags[...]
        while let flag = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw Invalid(description: "\(flag) needs a value") }
            switch flag {
            case "--host": host = value
            case "--port":
                guard let number = Int(value), (0...65535).contains(number) else {
                    throw Invalid(description: "--port must be 0 to 65535, not '\(value)'")
                }
                port = number
            case "--data": dataDirectory = value
            default: throw Invalid(description: "unknown option \(flag)")
            }
        }
    }
}

/// Typed reads of environment variables with errors that name the variable.
struct EnvironmentReader {
    let environment: [String: String]

    func string(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Configuration.Invalid(description: "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return value
    }

    func seconds(_ name: String, allowZero: Bool = false) throws -> Duration? {
        guard let text = string(name) else { return nil }
        guard let value = Double(text), allowZero ? value >= 0 : value > 0, value <= 86_400 else {
            throw Configuration.Invalid(description: "\(name) must be a number of seconds \(allowZero ? "from 0" : "above 0") and at most 86400, not '\(text)'")
        }
        return .milliseconds(Int64(value * 1000))
    }

    func boolean(_ name: String) throws -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw Configuration.Invalid(description: "\(name) must be 1/0, true/false, yes/no or on/off, not '\(text)'")
        }
    }
}

import API
import Foundation
import Quarry

/// `quarry admin ...`: the administrator's commands, run against the same data directory as the
/// server (SQLite in WAL mode lets them run while it serves).
enum Admin {
    static let usage = """
        quarry admin account create NAME     create an account; prints its API key as the last line
        quarry admin account list            list accounts
        quarry admin key rotate ACCOUNT      revoke ACCOUNT's keys (id or name) and print a new one
        quarry admin project activate ID [--annotator EMAIL] [--reviewer EMAIL]
                                             let a project accept HITL jobs, optionally naming who labels and reviews them
        quarry admin project deactivate ID   stop a project accepting jobs
        quarry admin worker link EMAIL [--account ACCOUNT]
                                             print a new workbench sign-in link for a worker (the token is the last line)
        quarry admin backup PATH             copy the data directory into the new folder PATH, consistently, while it serves
        quarry admin restore PATH            bring a backup back into an empty data directory, and check it
        quarry admin migrate [--to-database postgres://…] [--to-blobs s3://bucket/prefix]
                                             copy this SQLite deployment to PostgreSQL and/or a bucket (QUARRY_S3_* reach
                                             it), then check row counts and read every blob back; the source is left as it was
        """

    static func run(_ arguments: [String], _ configuration: Configuration) throws {
        // Restoring must come before anything opens (and so creates) a database in the data directory.
        if arguments.count == 2 && arguments[0] == "restore" {
            try Backup.restore(from: arguments[1], into: configuration.dataDirectory)
            return Output.print("restored \(arguments[1]) into \(configuration.dataDirectory); integrity check ok")
        }
        // Opening a data directory makes one where there was none, and a mistyped path would then be
        // copied, empty, into the target.
        if arguments.first == "migrate" && configuration.services.databaseURL == nil
            && !FileManager.default.fileExists(atPath: "\(configuration.dataDirectory)/quarry.sqlite") {
            throw Configuration.Invalid(description: "\(configuration.dataDirectory) holds no quarry.sqlite: nothing to migrate (set QUARRY_DATA_DIR or --data)")
        }
        var settings = configuration.services
        // Beside a live server: an admin command takes no queued work.
        settings.performsWork = false
        let services = try Services(dataDirectory: configuration.dataDirectory, settings: settings)
        defer { services.close() }
        switch arguments {
        case let args where args.count == 3 && args[0] == "account" && args[1] == "create":
            let (account, key) = try services.accounts.create(name: args[2])
            Output.print("created account \(account.id) (\(account.name)); its API key is shown once:")
            Output.print(key)
        case ["account", "list"]:
            let accounts = try services.accounts.list()
            Output.print("ID\tNAME\tACTIVE KEYS\tCREATED")
            for summary in accounts {
                Output.print("\(summary.account.id)\t\(summary.account.name)\t\(summary.activeKeys)\t\(summary.account.createdAt)")
            }
        case let args where args.count == 3 && args[0] == "key" && args[1] == "rotate":
            let (account, key) = try services.accounts.rotateKey(account: args[2])
            Output.print("rotated the key of \(account.id) (\(account.name)); earlier keys no longer work. New key:")
            Output.print(key)
        case let args where args.count >= 3 && args[0] == "project" && (args[1] == "activate" || args[1] == "deactivate"):
            let options = try options(Array(args.dropFirst(3)), allowed: args[1] == "activate" ? ["--annotator", "--reviewer"] : [])
            let project = try services.administration.setStatus(
                projectID: args[2], status: args[1] == "activate" ? .active : .inactive,
                annotator: options["--annotator"], reviewer: options["--reviewer"])
            Output.print("project \(project.id) (\(project.name)) is now \(project.status.rawValue)")
        case let args where args.count == 2 && args[0] == "backup":
            try Backup.make(services, to: args[1])
            Output.print("backed up \(configuration.dataDirectory) into \(args[1])")
        case let args where args.first == "migrate":
            let options = try options(Array(args.dropFirst()), allowed: ["--to-database", "--to-blobs"])
            let reader = EnvironmentReader(environment: ProcessInfo.processInfo.environment)
            let target = DeploymentCopy.Target(
                databaseURL: try options["--to-database"].map { try Configuration.databaseURL($0, setting: "--to-database") },
                blobs: try options["--to-blobs"].map { try Configuration.bucket($0, setting: "--to-blobs", reader) })
            guard target.databaseURL != nil || target.blobs != nil else {
                throw Configuration.Invalid(description: "migrate needs --to-database, --to-blobs or both\n\(usage)")
            }
            let report = try DeploymentCopy.run(from: services, to: target) { Output.print($0) }
            Output.print(Self.summary(report, target))
        case let args where args.count >= 3 && args[0] == "worker" && args[1] == "link":
            let options = try options(Array(args.dropFirst(3)), allowed: ["--account"])
            let (worker, token) = try services.workers.issueToken(email: args[2], account: options["--account"])
            // A whole URL a person can click; a command has no request to take a host from (PublicURLs).
            let base = configuration.services.publicURL ?? configuration.listenURL
            Output.print("workbench link for \(worker.email) (earlier links no longer work): \(base)\(WorkbenchLink.path(token: token))")
            Output.print(token)
        default:
            throw Configuration.Invalid(description: "unknown admin command\n\(usage)")
        }
    }

    /// What `migrate` did and which settings now point at the copy.
    private static func summary(_ report: DeploymentCopy.Report, _ target: DeploymentCopy.Target) -> String {
        var done: [String] = []
        var settings: [String] = []
        if target.databaseURL != nil {
            done.append("copied \(report.tables.reduce(0) { $0 + $1.rows }) rows in \(report.tables.count) tables; row counts match")
            settings.append("QUARRY_DATABASE_URL")
        }
        if target.blobs != nil {
            done.append("copied \(report.blobs) blobs; every one read back whole")
            settings.append("QUARRY_BLOB_STORE")
        }
        let keep = target.blobs == nil ? " Keep this data directory: its blobs stay here, and its quarry.sqlite must not be served again." : ""
        return done.joined(separator: "; ") + ". Set \(settings.joined(separator: " and ")) to the copy to use it." + keep
    }

    /// `--name value` pairs, only from `allowed`.
    private static func options(_ words: [String], allowed: Set<String>) throws -> [String: String] {
        var options: [String: String] = [:]
        var rest = words[...]
        while let flag = rest.popFirst() {
            guard allowed.contains(flag), let value = rest.popFirst() else {
                throw Configuration.Invalid(description: "unexpected '\(flag)'\n\(usage)")
            }
            options[flag] = value
        }
        return options
    }
}

import Foundation
import Quarry

let usage = """
    usage:
      quarry serve [--host HOST] [--port PORT] [--data DIR]
      \(Worker.usage)
      quarry --version
    \(Admin.usage.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

    Settings come from QUARRY_* environment variables (see README.md); flags override them.
    """

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "serve":
        try Serve.run(Configuration(environment: ProcessInfo.processInfo.environment, flags: Array(arguments.dropFirst())))
    case "worker":
        try Worker.run(Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
    case "admin":
        let (command, flags) = splitFlags(Array(arguments.dropFirst()))
        var environment = ProcessInfo.processInfo.environment
        // `migrate --to-blobs` reaches its target bucket with QUARRY_S3_*, which say nothing of the
        // deployment being copied unless it keeps its own blobs in a bucket.
        if command.first == "migrate" && environment["QUARRY_BLOB_STORE", default: ""].isEmpty {
            environment = environment.filter { !$0.key.hasPrefix("QUARRY_S3_") }
        }
        try Admin.run(command, Configuration(environment: environment, flags: flags))
    case "version", "--version":
        Output.print("quarry \(QuarryVersion.current)")
    case "help", "--help", "-h":
        Output.print(usage)
    default:
        Output.log(usage)
        exit(2)
    }
} catch let error as Configuration.Invalid {
    Output.log("error: \(error.description)")
    exit(2)
} catch let error as AccountError {
    Output.log("error: \(describe(error))")
    exit(1)
} catch let error as WorkerError {
    Output.log("error: \(error)")
    exit(1)
} catch let error as ProjectError {
    Output.log("error: \(error == .notFound(arguments.dropFirst(3).first ?? "") ? "no project with that id" : "\(error)")")
    exit(1)
} catch {
    Output.log("error: \(error)")
    exit(1)
}

/// `--data DIR` may appear anywhere among an admin command's words; other options belong to the command.
func splitFlags(_ words: [String]) -> (command: [String], flags: [String]) {
    var command: [String] = []
    var flags: [String] = []
    var index = 0
    while index < words.count {
        if words[index] == "--data", index + 1 < words.count {
            flags += [words[index], words[index + 1]]
            index += 2
        } else {
            command.append(words[index])
            index += 1
        }
    }
    return (command, flags)
}

func describe(_ error: AccountError) -> String {
    switch error {
    case .invalidName(let name): "invalid account name '\(name)': use 1 to 100 characters without control characters"
    case .nameTaken(let name): "an account named '\(name)' already exists"
    case .notFound(let id): "no account with id or name '\(id)'"
    }
}

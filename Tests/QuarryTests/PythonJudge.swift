import Foundation

/// Runs a Python script as an outside judge (numpy, pycocotools: installed by `make test`) and reads the
/// one JSON object it prints.
enum PythonJudge {
    struct Failed: Error {
        let output: String
    }

    static func run(_ script: String, arguments: [String] = []) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failed(output: String(decoding: data, as: UTF8.self))
        }
        return object
    }
}

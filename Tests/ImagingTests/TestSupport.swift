import Foundation
import Glibc
import Imaging

/// The committed images (see Fixtures/make_fixtures.py for what each name promises), found beside
/// this source file so no SwiftPM resource bundle is needed.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { "\(directory)/\(name)" }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// Every image but the sampling-* ones: each format, colour type and damage once, each a few
    /// hundred bytes, so that tests can cut them at every length. The sampling images are tens of
    /// kilobytes of the same format and would take minutes.
    static func small() -> [String] { names().filter { !$0.hasPrefix("sampling-") } }

    /// Images whose names start with `prefix`, sorted; every image when it is empty.
    static func names(_ prefix: String = "") -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return all.filter { $0.hasPrefix(prefix) && !$0.hasSuffix(".py") && !$0.hasSuffix(".json") }.sorted()
    }
}

/// Runs `body` in a fresh directory that is removed afterwards, whatever happens.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory.path + "/quarry-imaging-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Calls `body` with `bytes` placed so that they end exactly where an inaccessible page begins:
/// reading one byte past them crashes the test instead of passing unnoticed (picohttpparser's trick).
func withGuardedCopy<T>(of bytes: ArraySlice<UInt8>, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let dataPages = (bytes.count + page - 1) / page
    let length = (dataPages + 1) * page
    let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
    precondition(base != MAP_FAILED, "mmap failed")
    defer { munmap(base, length) }
    let guardPage = base + dataPages * page
    precondition(mprotect(guardPage, page, PROT_NONE) == 0, "mprotect failed")
    let start = guardPage - bytes.count
    bytes.withUnsafeBytes { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    return try body(UnsafeRawBufferPointer(start: start, count: bytes.count))
}

/// Runs `python3 -c script arguments…`; returns its exit status and its stdout and stderr together.
func runPython(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    try run("/usr/bin/env", ["python3", "-c", script] + arguments)
}

func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

extension ImageError {
    var isCorrupt: Bool {
        if case .corrupt = self { true } else { false }
    }
}

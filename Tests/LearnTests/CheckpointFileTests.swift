import Foundation
@testable import Learn
import Testing

/// The file format: bit-exact round trips, refusal of damaged files, atomic replacement.
struct CheckpointFileTests {
    typealias T = CheckpointTesting

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "checkpoint-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func sample() throws -> Checkpoint {
        let (model, optimizer) = T.trainedModel(seed: 5)
        var checkpoint = try Checkpoint(model: model, optimizer: optimizer, epoch: 2, batch: 7,
                                    random: Random(seed: 99), metadata: ["run": "bars", "note": "ü ✓"])
        // Values a text format would lose: a NaN payload, negative zero, infinities, a subnormal.
        checkpoint.parameters["special"] = [Float(bitPattern: 0x7fc0_1234), -0.0, .infinity, -.infinity,
                                            .leastNonzeroMagnitude, .pi]
        return checkpoint
    }

    static func expectBitExact(_ a: Checkpoint, _ b: Checkpoint) {
        #expect(a.parameters.mapValues(T.bits) == b.parameters.mapValues(T.bits))
        #expect(a.buffers.mapValues(T.bits) == b.buffers.mapValues(T.bits))
        #expect(a.optimizer.step == b.optimizer.step)
        #expect(a.optimizer.buffers.mapValues { $0.map(T.bits) } == b.optimizer.buffers.mapValues { $0.map(T.bits) })
        #expect(a.epoch == b.epoch && a.batch == b.batch && a.random == b.random && a.metadata == b.metadata)
    }

    @Test func roundTripsEveryFieldBitExactly() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let checkpoint = try Self.sample()
        #expect(checkpoint.buffers.count == 5, "two batch norms of two buffers and one dropout stream")
        #expect(checkpoint.optimizer.buffers["momentum"]?.count == checkpoint.parameters.count - 1)
        try CheckpointFile.write(checkpoint, to: directory + "/a.ckpt")
        Self.expectBitExact(try CheckpointFile.read(from: directory + "/a.ckpt"), checkpoint)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a.ckpt"])
    }

    @Test func refusesDamagedFiles() throws {
        let bytes = try CheckpointFile.encode(Self.sample())
        func decode(_ bytes: [UInt8]) throws -> Checkpoint { try CheckpointFile.decode(bytes, path: "x") }
        #expect(throws: CheckpointError.notACheckpoint(path: "x")) { try decode([]) }
        #expect(throws: CheckpointError.notACheckpoint(path: "x")) { try decode([UInt8]("PK\u{3}\u{4}".utf8) + bytes) }
        var future = bytes
        future[8] = 2
        #expect(throws: CheckpointError.unsupportedVersion(2)) { try decode(future) }
        #expect(throws: CheckpointError.corrupt("truncated: 12 bytes, shorter than the prefix")) { try decode(Array(bytes[..<12])) }
        let short = Array(bytes.dropLast(3))
        #expect(throws: CheckpointError.corrupt("truncated: \(short.count) bytes, expected \(bytes.count)")) { try decode(short) }
        #expect(throws: CheckpointError.corrupt("trailing bytes: \(bytes.count + 1) bytes, expected \(bytes.count)")) {
            try decode(bytes + [0])
        }
        var flipped = bytes
        flipped[bytes.count - 5] ^= 0x10
        #expect(throws: CheckpointError.corrupt("checksum mismatch")) { try decode(flipped) }
        var header = bytes
        header[CheckpointFile.prefixSize] = UInt8(ascii: "[")
        #expect(throws: CheckpointError.self) { try decode(header) }
    }

    @Test func aMissingFileIsAnIOError() {
        #expect(throws: CheckpointError.io(operation: "open", path: "/nonexistent/a.ckpt", errno: ENOENT)) {
            try CheckpointFile.read(from: "/nonexistent/a.ckpt")
        }
    }

    @Test func aFailedWriteLeavesTheOldFileAndNoTemporary() throws {
        struct Interrupted: Error {}
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.ckpt"
        let old = try Self.sample()
        try CheckpointFile.write(old, to: path)
        var new = old
        new.epoch = 3
        #expect(throws: Interrupted.self) {
            try CheckpointFile.write(new, to: path) { throw Interrupted() }
        }
        Self.expectBitExact(try CheckpointFile.read(from: path), old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a.ckpt"])
        try CheckpointFile.write(new, to: path)
        #expect(try CheckpointFile.read(from: path).epoch == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["a.ckpt"])
    }

    /// The temporary file a write makes is what `isBeingWritten` recognizes, so a copy taken meanwhile
    /// (`quarry admin backup`) leaves it out, and the finished file is not.
    @Test func aCheckpointBeingWrittenIsRecognizedByItsName() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var seen: [String] = []
        try CheckpointFile.write(try Self.sample(), to: directory + "/a.ckpt") {
            seen = try FileManager.default.contentsOfDirectory(atPath: directory)
        }
        #expect(seen.count == 1 && seen.allSatisfy(CheckpointFile.isBeingWritten))
        #expect(!CheckpointFile.isBeingWritten("a.ckpt") && !CheckpointFile.isBeingWritten("best.ckpt"))
    }
}

import Foundation

/// Checkpoints on disk, in a format of their own:
///
///     magic "QUARRYCK" (8 bytes) | version (UInt32) | header length (UInt32) | checksum (UInt64)
///     | header (JSON) | data (float32)
///
/// Integers and floats are little-endian. The header names every array with its span in the data,
/// and carries the position, random state, metadata and optimizer step; the arrays themselves
/// (parameters, buffers, optimizer buffers) are raw floats, so saving stays bit-exact and compact.
/// The checksum (FNV-1a, 64 bits) covers the header and the data, so a damaged file is refused
/// rather than silently resumed from.
public enum CheckpointFile {
    static let magic = Array("QUARRYCK".utf8)
    static let version: UInt32 = 1
    static let prefixSize = magic.count + 4 + 4 + 8

    public static func write(_ checkpoint: Checkpoint, to path: String) throws {
        try FileBytes.write(encode(checkpoint), to: path)
    }

    /// As `write`, with a hook run just before the temporary file replaces the old one.
    static func write(_ checkpoint: Checkpoint, to path: String, beforeRename: () throws -> Void) throws {
        try FileBytes.write(encode(checkpoint), to: path, beforeRename: beforeRename)
    }

    /// Whether `name` is a checkpoint still being written (its temporary file), not a checkpoint: what a
    /// copy taken while training goes on leaves out.
    public static func isBeingWritten(_ name: String) -> Bool {
        name.contains(FileBytes.temporaryMarker)
    }

    public static func read(from path: String) throws -> Checkpoint {
        try decode(FileBytes.read(path), path: path)
    }

    /// The file's bytes, for a store other than a file (a blob).
    public static func bytes(of checkpoint: Checkpoint) throws -> [UInt8] {
        try encode(checkpoint)
    }

    /// A checkpoint from a file's bytes; `source` names where they came from in errors.
    public static func checkpoint(from bytes: [UInt8], source: String) throws -> Checkpoint {
        try decode(bytes, path: source)
    }

    static func encode(_ checkpoint: Checkpoint) throws -> [UInt8] {
        var floats: [Float] = []
        func append(_ values: [Float]) -> CheckpointHeader.Span {
            defer { floats += values }
            return CheckpointHeader.Span(offset: floats.count, count: values.count)
        }
        var header = CheckpointHeader(
            parameters: [:], buffers: [:], optimizerStep: checkpoint.optimizer.step, optimizerBuffers: [:],
            epoch: checkpoint.epoch, batch: checkpoint.batch, random: checkpoint.random,
            metadata: checkpoint.metadata, floatCount: 0)
        // Sorted, so the same checkpoint always gives the same bytes.
        for (name, values) in checkpoint.parameters.sorted(by: { $0.key < $1.key }) { header.parameters[name] = append(values) }
        for (name, values) in checkpoint.buffers.sorted(by: { $0.key < $1.key }) { header.buffers[name] = append(values) }
        for (name, arrays) in checkpoint.optimizer.buffers.sorted(by: { $0.key < $1.key }) {
            header.optimizerBuffers[name] = arrays.map(append)
        }
        header.floatCount = floats.count

        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let headerBytes = try Array(encoder.encode(header))
        guard headerBytes.count <= Int(UInt32.max) else { throw CheckpointError.corrupt("header of \(headerBytes.count) bytes") }
        var body = headerBytes
        body.reserveCapacity(headerBytes.count + 4 * floats.count)
        for value in floats { appendLittleEndian(value.bitPattern, to: &body) }

        var bytes = magic
        bytes.reserveCapacity(prefixSize + body.count)
        appendLittleEndian(version, to: &bytes)
        appendLittleEndian(UInt32(headerBytes.count), to: &bytes)
        appendLittleEndian(checksum(body[...]), to: &bytes)
        return bytes + body
    }

    static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        guard bytes.count >= magic.count, Array(bytes[..<magic.count]) == magic else {
            throw CheckpointError.notACheckpoint(path: path)
        }
        guard bytes.count >= prefixSize else { throw CheckpointError.corrupt("truncated: \(bytes.count) bytes, shorter than the prefix") }
        let version = UInt32(littleEndianAt: magic.count, in: bytes)
        guard version == Self.version else { throw CheckpointError.unsupportedVersion(version) }
        let headerLength = Int(UInt32(littleEndianAt: magic.count + 4, in: bytes))
        let storedChecksum = UInt64(littleEndianAt: magic.count + 8, in: bytes)
        guard bytes.count >= prefixSize + headerLength else {
            throw CheckpointError.corrupt("truncated: \(bytes.count) bytes, the header alone needs \(prefixSize + headerLength)")
        }
        let header: CheckpointHeader
        do {
            header = try JSONDecoder().decode(CheckpointHeader.self, from: Data(bytes[prefixSize..<prefixSize + headerLength]))
        } catch {
            throw CheckpointError.corrupt("unreadable header: \(error)")
        }
        let dataStart = prefixSize + headerLength
        guard header.floatCount >= 0, header.floatCount <= (bytes.count - dataStart) / 4 + 1 else {
            throw CheckpointError.corrupt("truncated: \(bytes.count) bytes for \(header.floatCount) floats")
        }
        let expected = dataStart + 4 * header.floatCount
        guard bytes.count == expected else {
            throw CheckpointError.corrupt("\(bytes.count < expected ? "truncated" : "trailing bytes"): \(bytes.count) bytes, expected \(expected)")
        }
        guard checksum(bytes[prefixSize...]) == storedChecksum else { throw CheckpointError.corrupt("checksum mismatch") }
        try header.checkSpans()

        func floats(_ span: CheckpointHeader.Span) -> [Float] {
            (0..<span.count).map { Float(bitPattern: UInt32(littleEndianAt: dataStart + 4 * (span.offset + $0), in: bytes)) }
        }
        return Checkpoint(
            parameters: header.parameters.mapValues(floats), buffers: header.buffers.mapValues(floats),
            optimizer: OptimizerState(step: header.optimizerStep,
                                      buffers: header.optimizerBuffers.mapValues { $0.map(floats) }),
            epoch: header.epoch, batch: header.batch, random: header.random, metadata: header.metadata)
    }

    /// FNV-1a, 64 bits: enough to catch damage, with no dependency.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    private static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}

extension FixedWidthInteger {
    fileprivate init(littleEndianAt offset: Int, in bytes: [UInt8]) {
        var value: Self = 0
        for index in 0..<MemoryLayout<Self>.size { value |= Self(bytes[offset + index]) << (8 * index) }
        self = value
    }
}

/// The JSON part of a checkpoint file.
struct CheckpointHeader: Codable {
    /// Where an array lies in the data, in floats.
    struct Span: Codable {
        var offset: Int
        var count: Int
    }

    var parameters: [String: Span]
    var buffers: [String: Span]
    var optimizerStep: Int
    /// One span per parameter for each optimizer buffer.
    var optimizerBuffers: [String: [Span]]
    var epoch: Int
    var batch: Int
    var random: Random
    var metadata: [String: String]
    var floatCount: Int

    /// The spans must tile the data exactly: none outside it, none overlapping, no gap.
    func checkSpans() throws {
        let spans = (Array(parameters.values) + Array(buffers.values) + optimizerBuffers.values.flatMap { $0 })
            .sorted { ($0.offset, $0.count) < ($1.offset, $1.count) }
        var next = 0
        for span in spans {
            guard span.count >= 0, span.offset == next else {
                throw CheckpointError.corrupt("array at \(span.offset) of \(span.count) floats; expected one at \(next)")
            }
            next += span.count
        }
        guard next == floatCount else { throw CheckpointError.corrupt("arrays cover \(next) of \(floatCount) floats") }
        guard epoch >= 0, batch >= 0, optimizerStep >= 0 else {
            throw CheckpointError.corrupt("negative position: epoch \(epoch), batch \(batch), step \(optimizerStep)")
        }
    }
}

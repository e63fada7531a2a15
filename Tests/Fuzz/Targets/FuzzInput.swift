/// Draws choices from the front of a fuzz input and hands over the rest, so one input decides both
/// how a target is driven (piece sizes, options) and the bytes it is fed. An exhausted input reads
/// as zeros, so every input means something.
struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// A value in `range`, from one byte (ranges here are small).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(byte()) % range.count
    }

    mutating func bool() -> Bool {
        byte() & 1 == 1
    }

    mutating func uint32() -> UInt32 {
        (0..<4).reduce(0) { value, _ in value << 8 | UInt32(byte()) }
    }

    mutating func uint64() -> UInt64 {
        UInt64(uint32()) << 32 | UInt64(uint32())
    }

    /// Up to `limit` bytes, their count drawn first.
    mutating func bytes(upTo limit: Int) -> [UInt8] {
        (0..<int(in: 0...limit)).map { _ in byte() }
    }

    /// A line: the bytes up to the next LF (not included), or the rest.
    mutating func line() -> [UInt8] {
        let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
        defer { position = min(end + 1, bytes.count) }
        return Array(bytes[position..<end])
    }

    mutating func rest() -> [UInt8] {
        defer { position = bytes.count }
        return Array(bytes[min(position, bytes.count)...])
    }
}

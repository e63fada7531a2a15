/// Request identifiers: the client's `X-Request-Id` when it is short and plain (so a request can be
/// traced across a proxy), otherwise `<process prefix>-<loop>-<counter>`, unique within a run
/// and cheap enough for the hot path.
struct RequestIDGenerator {
    /// Not a secret, only a way to tell restarts apart in the log.
    private static let processPrefix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
    private let loopIndex: Int
    private var counter: UInt64 = 0

    init(loopIndex: Int) {
        self.loopIndex = loopIndex
    }

    mutating func next(incoming: String?) -> String {
        if let incoming, Self.isAcceptable(incoming) { return incoming }
        counter += 1
        return "\(Self.processPrefix)-\(loopIndex)-\(String(counter, radix: 16))"
    }

    private static func isAcceptable(_ id: String) -> Bool {
        let utf8 = id.utf8
        return (1...64).contains(utf8.count) && utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}

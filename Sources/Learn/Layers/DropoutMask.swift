/// Which values a dropout drops, from a seed and each value's index alone: value i's draw is the
/// (i + 1)-th number `Random(seed:)` would give, computed directly (SplitMix64 is counter-based), so a
/// GPU thread finds its value's verdict without the draws before it, and the CPU and GPU backends drop
/// exactly the same values. Backward recomputes the mask from the seed rather than keeping it.
public struct DropoutMask: Sendable {
    public let probability: Float
    public let seed: UInt64
    /// What a kept value is multiplied by, 1 / (1 − p), so the expected output equals the input.
    public let keptScale: Float

    public init(probability: Float, seed: UInt64) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1), got \(probability)")
        (self.probability, self.seed, keptScale) = (probability, seed, 1 / (1 - probability))
    }

    /// The seed whose value i draws what `seed`'s value `skipped` + i does: the counter's start moved on.
    public static func seed(_ seed: UInt64, skipping skipped: Int) -> UInt64 {
        seed &+ UInt64(skipped) &* golden
    }

    private static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// A uniform draw in [0, 1) for value `index`, from the top 24 bits of the mixed counter.
    @inline(__always)
    public func uniform(at index: Int) -> Float {
        var z = seed &+ UInt64(index + 1) &* Self.golden
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) * 0x1p-24
    }

    /// 0 for a dropped value, `keptScale` for a kept one.
    @inline(__always)
    public func scale(at index: Int) -> Float {
        uniform(at: index) < probability ? 0 : keptScale
    }
}

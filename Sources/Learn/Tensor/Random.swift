import Foundation

/// Reproducible random numbers for initialization, dropout and augmentation: the same seed gives
/// the same stream on every machine (SplitMix64, fully specified), and the state can be saved in
/// a checkpoint and restored to continue exactly.
public struct Random: Sendable, Equatable, Codable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 24 bits (a float's precision).
    public mutating func uniform() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }

    /// Standard normal by Box-Muller.
    public mutating func normal() -> Float {
        let u1 = max(uniform(), Float.leastNormalMagnitude)
        let u2 = uniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * Float.pi * u2)
    }
}

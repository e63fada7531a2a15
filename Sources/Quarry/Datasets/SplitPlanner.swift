/// Deterministic, stratified assignment of images to train/val/test: within each class, images in id
/// order are shuffled by a generator seeded from the seed and the class name, then cut by the
/// ratios with largest-remainder rounding. The same seed gives the same split on any machine,
/// because nothing depends on platform random numbers or hash seeds.
public struct SplitPlanner: Sendable {
    public static let subsets = ["train", "val", "test"]

    public let ratios: [String: Double]
    public let seed: UInt64
    /// What scales the ratios to sum to exactly 1.
    private let scale: Double

    /// Ratios for `train`, `val` and `test`, each in [0, 1], summing to 1 within 0.01 (studio-api-related.md:
    /// a client's thirds, 0.33 each, are a split), kept as given and scaled to 1 when images are counted;
    /// `train` and `val` must be named, `test` is 0 when left out.
    public init(ratios: [String: Double], seed: UInt64) throws {
        // In key order, so that of two refusals the same one is named every time.
        for key in ratios.keys.sorted() where !Self.subsets.contains(key) {
            throw SplitError.invalid(field: "ratios", reason: "may name only train, val and test, not '\(key.prefix(40))'")
        }
        for (key, value) in ratios.sorted(by: { $0.key < $1.key }) where !(value.isFinite && value >= 0 && value <= 1) {
            throw SplitError.invalid(field: "ratios.\(key)", reason: "must be between 0 and 1")
        }
        let sum = ratios.values.reduce(0, +)
        guard abs(sum - 1) <= 0.01 + 1e-9 else {
            throw SplitError.invalid(field: "ratios", reason: "must sum to 1, within 0.01 (they sum to \(sum))")
        }
        for required in ["train", "val"] where ratios[required] == nil {
            throw SplitError.invalid(field: "ratios.\(required)", reason: "is required (0 is allowed)")
        }
        self.ratios = ratios
        scale = 1 / sum
        self.seed = seed
    }

    /// Subset per image id. `classes` maps each class (nil: unlabeled) to its image ids.
    public func assign(_ classes: [String?: [Int]]) -> [Int: String] {
        var assignment: [Int: String] = [:]
        // Unlabeled images first, then classes by name: an order that is the same everywhere.
        for className in classes.keys.sorted(by: { ($0.map { "1" + $0 } ?? "0") < ($1.map { "1" + $0 } ?? "0") }) {
            var ids = classes[className, default: []].sorted()
            var generator = SplitMix64(seed: seed ^ Self.fnv1a(className ?? "\u{0}unlabeled"))
            // Fisher-Yates with our own generator: Swift's shuffle(using:) does not promise a stable algorithm.
            if ids.count > 1 {
                for index in stride(from: ids.count - 1, to: 0, by: -1) {
                    let other = Int(generator.next() % UInt64(index + 1))
                    ids.swapAt(index, other)
                }
            }
            var start = 0
            for (subset, count) in zip(Self.subsets, counts(for: ids.count)) {
                for id in ids[start..<start + count] { assignment[id] = subset }
                start += count
            }
        }
        return assignment
    }

    /// How many of `total` go to each subset: floors first, then the leftovers by largest remainder
    /// (ties in train, val, test order).
    func counts(for total: Int) -> [Int] {
        let exact = Self.subsets.map { Double(total) * ratios[$0, default: 0] * scale }
        var counts = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - exact[$0].rounded(.down)) > (exact[$1] - exact[$1].rounded(.down)) }
        var left = total - counts.reduce(0, +)
        for index in order where left > 0 {
            counts[index] += 1
            left -= 1
        }
        return counts
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast, and fully specified, so splits reproduce.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

public enum SplitError: Error, Equatable, Sendable {
    case invalid(field: String, reason: String)
    case notFound(Int)
    /// The project has no images to split: nothing was imported or uploaded yet.
    case noImages
}

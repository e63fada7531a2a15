import Quarry

/// A split as the Studio API shows it; `classes` only in a split's details.
struct SplitDocument: Encodable {
    let split_index: Int
    let name: String
    let seed: UInt64
    let ratios: [String: Double]
    let stats: [String: Int]
    let created_at: String
    let classes: [String: [String: Int]]?

    init(_ split: SplitSummary) {
        (split_index, name, seed, ratios, stats, created_at, classes) =
            (split.index, split.name, split.seed, split.ratios, split.stats, split.createdAt, split.classes)
    }
}

import Foundation

/// One image's softmax over the classes, computed in Double from its logits.
struct ClassScores {
    let probabilities: [Double]
    let best: Int
    let topFive: [Int]

    init(_ logits: ArraySlice<Float>) {
        let values = logits.map(Double.init), peak = values.max() ?? 0
        let exponentials = values.map { exp($0 - peak) }, sum = exponentials.reduce(0, +)
        let probabilities = exponentials.map { $0 / sum }
        // Ties go to the lower class, as arg-max does in training.
        let ranked = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        self.probabilities = probabilities
        best = ranked[0]
        topFive = Array(ranked.prefix(5))
    }
}

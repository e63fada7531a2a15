/// Resampling weights laid out for a single-channel columns pass that makes `lanes` outputs at a
/// time. Block b's outputs draw on the `span` consecutive samples from `base[b]`, with a dense
/// `span` × `lanes` matrix of weights (zero where an output's filter does not reach), so the pass is
/// one vector multiply-add per source sample instead of one scalar multiply-add per tap and output.
/// At the reductions thumbnails make (under 2×, 5 taps) that is about 2 multiply-adds an output.
struct BlockedTaps: Sendable {
    static let lanes = 8
    let span: Int
    let base: [Int]
    /// Block after block, `span` rows of `lanes` weights.
    let weights: [Float]

    init(_ taps: ResampleTaps, source: Int) {
        let lanes = Self.lanes, target = taps.first.count, blocks = (target + lanes - 1) / lanes
        func outputs(_ block: Int) -> Range<Int> { block * lanes..<min(target, block * lanes + lanes) }
        let span = min(source, (0..<blocks).map { block in
            let range = outputs(block)
            return range.map { taps.first[$0] + taps.count }.max()! - range.map { taps.first[$0] }.min()!
        }.max()!)
        var base = [Int](repeating: 0, count: blocks), weights = [Float](repeating: 0, count: blocks * span * lanes)
        for block in 0..<blocks {
            // Near the far edge the block moves left, as ResampleTaps' runs do.
            let start = min(outputs(block).map { taps.first[$0] }.min()!, source - span)
            base[block] = start
            for output in outputs(block) {
                for tap in 0..<taps.count {
                    let row = taps.first[output] + tap - start
                    weights[(block * span + row) * lanes + output - block * lanes] += taps.weights[output * taps.count + tap]
                }
            }
        }
        self.span = span
        self.base = base
        self.weights = weights
    }
}

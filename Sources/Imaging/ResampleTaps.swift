/// The weights of a resampling along one axis: output i is the weighted sum of the `count`
/// consecutive source samples from `first[i]`. Every output has the same count, zero weights
/// filling in where its filter is narrower, and every run lies inside the source, so the loops
/// that apply them need neither bounds checks nor a varying trip count.
struct ResampleTaps {
    let count: Int
    /// Per output, into the source.
    let first: [Int]
    /// `count` per output, output after output; they sum to 1 for each.
    let weights: [Float]

    /// `run(i, weights)` writes output i's weights (at most `widest`) and returns the source range
    /// they cover, which lies inside the source.
    private init(source: Int, target: Int, widest: Int, _ run: (Int, UnsafeMutablePointer<Double>) -> Range<Int>) {
        var ranges = [Range<Int>](), all = [Double](repeating: 0, count: widest * target)
        ranges.reserveCapacity(target)
        all.withUnsafeMutableBufferPointer { all in
            for i in 0..<target { ranges.append(run(i, all.baseAddress! + i * widest)) }
        }
        // The widest run actually met, which can be narrower than the filter's bound.
        let count = ranges.reduce(1) { max($0, $1.count) }
        var first = [Int](repeating: 0, count: target), weights = [Float](repeating: 0, count: count * target)
        for (i, range) in ranges.enumerated() {
            // Near the far edge the run moves left, its weights staying on their samples.
            let start = min(range.lowerBound, source - count)
            for k in 0..<range.count { weights[i * count + range.lowerBound - start + k] = Float(all[i * widest + k]) }
            first[i] = start
        }
        self.count = count
        self.first = first
        self.weights = weights
    }

    /// Area averaging: output i covers source [i·s, (i+1)·s) with s = source / target, and each
    /// source sample weighs the fraction of that span it covers. Exact for downscaling, where point
    /// sampling would alias; upscaling with the same weights blends at most two neighbours.
    static func area(source: Int, target: Int) -> ResampleTaps {
        let scale = Double(source) / Double(target)
        return ResampleTaps(source: source, target: target, widest: Int(scale.rounded(.up)) + 1) { i, weights in
            let low = Double(i) * scale, high = min(Double(i + 1) * scale, Double(source))
            let first = Int(low), last = min(max(first, Int((high - 1e-9).rounded(.up)) - 1), source - 1)
            for index in first...last {
                weights[index - first] = (min(high, Double(index + 1)) - max(low, Double(index))) / (high - low)
            }
            return first..<last + 1
        }
    }

    /// Keys' cubic convolution (a = −0.5), widened by the reduction factor when shrinking so that
    /// it also low-passes: the filter, support and edge handling of Pillow's `BICUBIC`, which is
    /// what `Image.thumbnail` uses, so thumbnails look like the ones people know.
    static func cubic(source: Int, target: Int) -> ResampleTaps {
        ResampleTaps(source: source, target: target, widest: cubicWidest(source: source, target: target)) { i, weights in
            cubic(i, source: source, target: target, into: weights)
        }
    }

    /// `cubic` to `target` followed by averaging each pair of outputs (the last one alone when
    /// `target` is odd): half as many outputs, rounded up. This is how an encoder's 2×2 chroma
    /// averaging treats an image resized to full size, which chroma resized on its own must match.
    static func cubicPairs(source: Int, target: Int) -> ResampleTaps {
        let widest = cubicWidest(source: source, target: target)
        return ResampleTaps(source: source, target: (target + 1) / 2, widest: widest * 2) { i, weights in
            let scratch = UnsafeMutablePointer<Double>.allocate(capacity: widest)
            defer { scratch.deallocate() }
            let pair = [2 * i, min(2 * i + 1, target - 1)]
            let runs = pair.map { output in
                scratch.initialize(repeating: 0, count: widest)
                let run = cubic(output, source: source, target: target, into: scratch)
                return (run, (0..<run.count).map { scratch[$0] })
            }
            let low = runs.map(\.0.lowerBound).min()!, high = runs.map(\.0.upperBound).max()!
            for (run, values) in runs {
                for (k, value) in values.enumerated() { weights[run.lowerBound - low + k] += value / 2 }
            }
            return low..<high
        }
    }

    private static func cubicWidest(source: Int, target: Int) -> Int {
        Int((2 * max(Double(source) / Double(target), 1)).rounded(.up)) * 2 + 1
    }

    /// Output i's normalised weights into `weights`; returns the source run they cover.
    private static func cubic(_ i: Int, source: Int, target: Int, into weights: UnsafeMutablePointer<Double>) -> Range<Int> {
        let scale = Double(source) / Double(target)
        let widen = max(scale, 1), support = 2 * widen
        let center = (Double(i) + 0.5) * scale
        let low = max(0, Int(center - support + 0.5)), high = min(source, Int(center + support + 0.5))
        var sum = 0.0
        for index in low..<high {
            weights[index - low] = keys((Double(index) - center + 0.5) / widen)
            sum += weights[index - low]
        }
        if sum != 0 { for k in 0..<high - low { weights[k] /= sum } }
        return low..<high
    }

    private static func keys(_ distance: Double) -> Double {
        let x = abs(distance), a = -0.5
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }
}

import Synchronization

/// Cubic weights for resampling planes, kept per (source, target) size: thumbnails of one dataset
/// mostly share their sizes, and building weights cost as much as a third of a plane's resize.
/// `pairs` asks for `ResampleTaps.cubicPairs`, the weights for chroma.
enum PlaneTaps {
    struct Axes: Sendable {
        let columns: BlockedTaps
        let rows: ResampleTaps
    }

    private struct Key: Hashable {
        let source: Int
        let target: Int
        let pairs: Bool
    }

    private struct Axis: Sendable {
        let taps: ResampleTaps
        let blocked: BlockedTaps
    }

    /// A handful of sizes covers a dataset; past this many the cache starts over rather than grow.
    private static let capacity = 64
    private static let cache = Mutex<[Key: Axis]>([:])

    static func cubic(columns: (source: Int, target: Int), rows: (source: Int, target: Int), pairs: Bool) -> Axes {
        Axes(columns: axis(Key(source: columns.source, target: columns.target, pairs: pairs)).blocked,
             rows: axis(Key(source: rows.source, target: rows.target, pairs: pairs)).taps)
    }

    private static func axis(_ key: Key) -> Axis {
        if let axis = cache.withLock({ $0[key] }) { return axis }
        let (source, target) = (key.source, key.target)
        let taps = key.pairs ? ResampleTaps.cubicPairs(source: source, target: target) : ResampleTaps.cubic(source: source, target: target)
        let axis = Axis(taps: taps, blocked: BlockedTaps(taps, source: source))
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[key] = axis
        }
        return axis
    }
}

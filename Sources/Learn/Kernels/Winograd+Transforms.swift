/// The F(2×2, 3×3) transforms of Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks"
/// (2015), and the adjoints the gradients need, run over whole tensors. Transformed tensors are laid out
/// position-major, [16][channels][tiles], so that each of the 16 positions is one plain matrix for GEMM.
/// Image-side transforms take eight tiles of a tile row at a time, one per SIMD lane: their columns
/// are the even and odd samples of a row, and their 16 positions are stored as 16 contiguous vectors.
extension Winograd {
    typealias Lanes = SIMD8<Float>
    static let lanes = 8

    /// Bᵀ r for a 4-vector: the rows of Bᵀ are (1 0 −1 0), (0 1 1 0), (0 −1 1 0), (0 1 0 −1).
    @inline(__always)
    static func inputRows<V: WinogradLanes>(_ r0: V, _ r1: V, _ r2: V, _ r3: V) -> (V, V, V, V) {
        (r0 - r2, r1 + r2, r2 - r1, r1 - r3)
    }

    /// Aᵀ r for a 4-vector: the rows of Aᵀ are (1 1 1 0) and (0 1 −1 −1).
    @inline(__always)
    static func outputRows<V: WinogradLanes>(_ r0: V, _ r1: V, _ r2: V, _ r3: V) -> (V, V) {
        (r0 + r1 + r2, r1 - r2 - r3)
    }

    /// A q for a 2-vector, the adjoint of `outputRows`.
    @inline(__always)
    static func outputAdjoint<V: WinogradLanes>(_ q0: V, _ q1: V) -> (V, V, V, V) {
        (q0, q0 + q1, q0 - q1, .zero - q1)
    }

    /// Bᵀ d B of every 4×4 tile of `samples` of x (N, channels, height, width), zero outside the image,
    /// into v[p][channel][t]. Tile (ty, tx) starts at row 2·ty − 1, column 2·tx − 1: the padding of one.
    /// Column j of tile tx is sample 2·tx + j of a row padded with one zero in front, so a group's
    /// columns are the even and odd halves of two vectors. (Gathering lanes across tile rows for planes
    /// narrower than a group measured no faster.)
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, samples: Range<Int>, _ grid: Grid,
                               into v: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        forEachGroup(x, channels: channels, samples: samples, grid, layout, rows: 4, firstRow: -1, into: v) { rows, base, out, count in
            func columns(_ i: Int) -> (Lanes, Lanes, Lanes, Lanes) {
                let start = UnsafeRawPointer(rows[i] + base)
                let a = start.loadUnaligned(as: SIMD16<Float>.self), b = (start + 8).loadUnaligned(as: SIMD16<Float>.self)
                return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
            }
            transformTiles(columns(0), columns(1), columns(2), columns(3), into: out, stride: layout.stride, count: count)
        }
    }

    /// Runs `body(rows, base, out, count)` for every group of up to `lanes` tiles of a tile row, channel by
    /// channel on the cores: `rows` holds the image rows from tile·ty + `firstRow` (zeros outside the plane,
    /// one zero in front when `firstRow` is −1), dealt into `phases`, the group's values start at
    /// `rows[i] + base` (at `base` of each phase), and its
    /// `count` transformed tiles go to `out`, position by position `layout.stride` apart.
    static func forEachGroup(
        _ source: UnsafePointer<Float>, channels: Int, samples: Range<Int>, _ grid: Grid, _ layout: Matrices, rows count: Int,
        firstRow: Int, phases: Int = 1, into target: UnsafeMutablePointer<Float>,
        _ body: (PaddedRows, Int, UnsafeMutablePointer<Float>, Int) -> Void
    ) {
        let (height, width, tile) = (grid.height, grid.width, grid.tile)
        Parallel.forRanges(channels, work: layout.count) { range in
            // Zeros after each row as far as the last group's loads reach: 16 values from two past its
            // tiles for F(2×2), 8 from one past them in each phase for F(4×4).
            let rows = PaddedRows(count: count, length: (tile * grid.groupsWide * lanes) / phases + 2 * tile + 16, offset: -firstRow,
                                  phases: phases)
            defer { rows.deallocate() }
            for channel in range {
                var out = target + channel * layout.ld
                for sample in samples {
                    let plane = source + (sample * channels + channel) * height * width
                    for ty in 0..<grid.tilesHigh {
                        for i in 0..<count { rows.load(i, from: plane, row: tile * ty + firstRow + i, height: height, width: width) }
                        for group in 0..<grid.groupsWide {
                            let tiles = min(lanes, grid.tilesWide - group * lanes)
                            body(rows, tile * lanes * group / phases, out, tiles)
                            out += tiles
                        }
                    }
                }
            }
        }
    }

    /// Bᵀ d B of `lanes` tiles at once, `d_i` holding row i's four columns, stored position by position.
    @inline(__always)
    private static func transformTiles(_ d0: (Lanes, Lanes, Lanes, Lanes), _ d1: (Lanes, Lanes, Lanes, Lanes),
                                       _ d2: (Lanes, Lanes, Lanes, Lanes), _ d3: (Lanes, Lanes, Lanes, Lanes),
                                       into out: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        // Down the columns (Bᵀ d), then across each row (· B).
        let t0 = inputRows(d0.0, d1.0, d2.0, d3.0), t1 = inputRows(d0.1, d1.1, d2.1, d3.1)
        let t2 = inputRows(d0.2, d1.2, d2.2, d3.2), t3 = inputRows(d0.3, d1.3, d2.3, d3.3)
        store(inputRows(t0.0, t1.0, t2.0, t3.0), at: out, stride: stride, count: count)
        store(inputRows(t0.1, t1.1, t2.1, t3.1), at: out + 4 * stride, stride: stride, count: count)
        store(inputRows(t0.2, t1.2, t2.2, t3.2), at: out + 8 * stride, stride: stride, count: count)
        store(inputRows(t0.3, t1.3, t2.3, t3.3), at: out + 12 * stride, stride: stride, count: count)
    }

    /// A q Aᵀ of every 2×2 tile q of dy (N, channels, height, width) for `samples`, zero past the image,
    /// into dm[p][channel][t]: the gradient of the products that `transformOutput` reads.
    static func transformOutputGradient(_ dy: UnsafePointer<Float>, channels: Int, samples: Range<Int>, _ grid: Grid,
                                        into dm: UnsafeMutablePointer<Float>, _ layout: Matrices) {
        forEachGroup(dy, channels: channels, samples: samples, grid, layout, rows: 2, firstRow: 0, into: dm) { rows, base, out, count in
            let a = UnsafeRawPointer(rows[0] + base).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(rows[1] + base).loadUnaligned(as: SIMD16<Float>.self)
            // Down the columns (A q), then across each of the four rows (· Aᵀ).
            let left = outputAdjoint(a.evenHalf, b.evenHalf), right = outputAdjoint(a.oddHalf, b.oddHalf)
            let stride = layout.stride
            store(outputAdjoint(left.0, right.0), at: out, stride: stride, count: count)
            store(outputAdjoint(left.1, right.1), at: out + 4 * stride, stride: stride, count: count)
            store(outputAdjoint(left.2, right.2), at: out + 8 * stride, stride: stride, count: count)
            store(outputAdjoint(left.3, right.3), at: out + 12 * stride, stride: stride, count: count)
        }
    }

    /// Four positions of eight tiles, `stride` apart; only the first `count` tiles are real.
    @inline(__always)
    static func store(_ v: (Lanes, Lanes, Lanes, Lanes), at out: UnsafeMutablePointer<Float>, stride: Int, count: Int) {
        store(v.0, at: out, count: count)
        store(v.1, at: out + stride, count: count)
        store(v.2, at: out + 2 * stride, count: count)
        store(v.3, at: out + 3 * stride, count: count)
    }

    @inline(__always)
    static func store(_ v: Lanes, at out: UnsafeMutablePointer<Float>, count: Int) {
        if count == lanes {
            UnsafeMutableRawPointer(out).storeBytes(of: v, as: Lanes.self)
        } else {
            for lane in 0..<count { out[lane] = v[lane] }
        }
    }

    @inline(__always)
    static func load(_ source: UnsafePointer<Float>, count: Int) -> Lanes {
        if count == lanes { return UnsafeRawPointer(source).loadUnaligned(as: Lanes.self) }
        var v = Lanes()
        for lane in 0..<count { v[lane] = source[lane] }
        return v
    }

}

/// Scratch rows for the transforms: image rows copied between zeros, so that every vector load of a
/// tile group lies inside the buffer and reads zeros past the image's edges. With `phases` above one, a
/// row is stored dealt into that many phases, padded sample p at index p / phases of phase p % phases,
/// so that F(4×4)'s columns, every fourth sample, are contiguous vectors.
struct PaddedRows {
    private let base: UnsafeMutablePointer<Float>
    private let length: Int
    private let offset: Int
    private let phases: Int

    /// `count` rows of `length` per phase, each image row starting `offset` samples in.
    init(count: Int, length: Int, offset: Int, phases: Int = 1) {
        (self.length, self.offset, self.phases) = (length, offset, phases)
        base = .allocate(capacity: count * length * phases)
        base.initialize(repeating: 0, count: count * length * phases)
    }

    subscript(index: Int) -> UnsafeMutablePointer<Float> { base + index * length * phases }

    subscript(index: Int, phase: Int) -> UnsafeMutablePointer<Float> { base + (index * phases + phase) * length }

    /// Row `row` of a height × width plane into slot `index`, or zeros where the row is outside it.
    func load(_ index: Int, from plane: UnsafePointer<Float>, row: Int, height: Int, width: Int) {
        let inside = row >= 0 && row < height, source = plane + row * width
        // Loops, not memmove: rows of late stages are 2 to 8 values, shorter than the call.
        guard phases > 1 else {
            let target = self[index] + offset
            for x in 0..<width { target[x] = inside ? source[x] : 0 }
            return
        }
        for phase in 0..<phases {
            // Phase q holds image samples x ≡ q − offset (mod phases), from index 1 where the first is in the padding.
            let target = self[index, phase]
            var (x, at) = (phase - offset, 0)
            if x < 0 { (x, at) = (x + phases, 1) }
            while x < width {
                target[at] = inside ? source[x] : 0
                (x, at) = (x + phases, at + 1)
            }
        }
    }

    func deallocate() { base.deallocate() }
}

/// What the 1-D transforms ask of a value: lane-wise sums and differences, so that one spelling serves
/// single values and whole rows of tiles.
protocol WinogradLanes {
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static var zero: Self { get }
}

extension Float: WinogradLanes {}
extension SIMD8: WinogradLanes where Scalar == Float {}

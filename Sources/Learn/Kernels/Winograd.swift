/// 3×3 convolutions with stride 1 and padding 1, most of ResNet's work, by Winograd's minimal filtering
/// F(2×2, 3×3) (Lavin and Gray, 2015): a 2×2 tile of output costs 16 multiplications per pair of channels
/// where direct convolution costs 36, so the matrix products shrink 2.25×. Input tiles (4×4, overlapping
/// by 2) and kernels are transformed, multiplied as 16 products, one per position of the transformed
/// tile, and transformed back. Backward takes dL/dx the same way, as the convolution of dL/dy with the
/// kernels turned 180° (whose transforms are the forward's with positions swapped), and dL/dw from
/// the forward's transformed input and the transformed output gradient.
///
/// Legend as in `Conv2D`; T = tiles of a chunk (n · ⌈H/2⌉ · ⌈W/2⌉), p = one of the 16 positions.
public enum Winograd {
    /// Where it measured faster than im2col: 3×3, stride 1, padding 1, no groups, and enough channels
    /// on both sides for the 16 products to be worth their transforms.
    public static func applies(to shape: Conv2DShape) -> Bool {
        shape.kernelHeight == 3 && shape.kernelWidth == 3 && shape.stride == 1 && shape.padding == 1
            && shape.groups == 1 && shape.inChannels >= minimumChannels && shape.outChannels >= minimumChannels
    }

    static let minimumChannels = 16

    /// Where the 16 matrices of a transformed tensor lie: value (r, k) of position p at
    /// `p · stride + r · ld + k`. Matrices are padded by a cache line: unpadded, their sizes are often
    /// multiples of 4 KiB (64·64 or 512·512 channel pairs), which puts the 16 positions of a tile in one
    /// L1 set, where the transforms' stores evict one another (the kernel transform took 16% of a
    /// training step before). Rows are padded the same way, for the 16 rows GEMM packing transposes at
    /// once; that measured within noise.
    struct Matrices {
        let rows: Int, columns: Int
        /// 16 for F(2×2, 3×3), 36 for F(4×4, 3×3).
        var positions = 16
        var ld: Int { columns + 16 }
        var stride: Int { rows * ld + 16 }
        /// Values the matrices take.
        var count: Int { positions * stride }

        func position(_ p: Int, of base: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> { base + p * stride }
    }

    /// The 16 products c_p = op(a_p) · op(b_p) of one convolution step, a_p the matrix at `aPosition(p)`.
    static func multiply(_ a: UnsafeMutablePointer<Float>, _ aLayout: Matrices, aPosition: (Int) -> Int = { $0 },
                                 _ b: UnsafeMutablePointer<Float>, _ bLayout: Matrices,
                                 _ c: UnsafeMutablePointer<Float>, _ cLayout: Matrices,
                                 k: Int, transposeA: Bool = false, transposeB: Bool = false, beta: Float = 0) {
        GEMM.multiplyBatch(cLayout.positions, a: { UnsafePointer(aLayout.position(aPosition($0), of: a)) }, lda: aLayout.ld,
                           b: { UnsafePointer(bLayout.position($0, of: b)) }, ldb: bLayout.ld,
                           c: { cLayout.position($0, of: c) }, ldc: cLayout.ld,
                           m: cLayout.rows, n: cLayout.columns, k: k, transposeA: transposeA, transposeB: transposeB, beta: beta)
    }

    /// Output tiles over a plane; with stride 1 and padding 1 the output is as large as the input.
    struct Grid {
        let height: Int, width: Int
        /// Output values along each side of a tile: 2 for F(2×2, 3×3), 4 for F(4×4, 3×3).
        let tile: Int
        let tilesHigh: Int, tilesWide: Int

        init(_ shape: Conv2DShape, tile: Int = 2) {
            (height, width, self.tile) = (shape.height, shape.width, tile)
            (tilesHigh, tilesWide) = ((height + tile - 1) / tile, (width + tile - 1) / tile)
        }

        /// Positions of a transformed tile: (tile + 2)².
        var positions: Int { (tile + 2) * (tile + 2) }

        var tilesPerSample: Int { tilesHigh * tilesWide }
        /// Groups of `lanes` tiles across a tile row, the last one possibly partial.
        var groupsWide: Int { (tilesWide + Winograd.lanes - 1) / Winograd.lanes }

        /// Evaluation's chunks when each core may take whole ones: enough samples for products of about 256
        /// tiles, and at least two chunks per core; nil where the batch is too small for that (late stages,
        /// whose few tiles per sample would make narrow products that repack all the kernels each time).
        func tasks(_ shape: Conv2DShape) -> [Range<Int>]? {
            let size = (256 + tilesPerSample - 1) / tilesPerSample
            guard Parallel.cores > 1, shape.batch / size >= 2 * Parallel.cores else { return nil }
            return stride(from: 0, to: shape.batch, by: size).map { $0..<min($0 + size, shape.batch) }
        }

        /// Samples per chunk, so that no transformed tensor of a chunk holds more than `chunkValues`.
        func chunks(_ shape: Conv2DShape, chunkValues: Int) -> [Range<Int>] {
            let perSample = positions * max(shape.inChannels, shape.outChannels) * tilesPerSample
            let size = max(1, min(shape.batch, chunkValues / perSample))
            return stride(from: 0, to: shape.batch, by: size).map { $0..<min($0 + size, shape.batch) }
        }
    }

    /// As `Conv2D.forward`; with `keepInput`, when the batch was one chunk, the transformed input for backward.
    /// (Evaluation with kernels transformed beforehand runs F(4×4, 3×3) instead: `evaluate`.)
    public static func forward(
        input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, keepInput: Bool = false, epilogue: Epilogue = .none,
        chunkValues: Int = Conv2D.chunkValues
    ) -> (output: Tensor, cache: ConvolutionCache?) {
        precondition(applies(to: shape), "not a Winograd convolution: \(shape)")
        precondition(input.shape == shape.inputShape && weight.shape == shape.weightShape, "input \(input.shape), weight \(weight.shape) for \(shape)")
        let (c, oc, grid) = (shape.inChannels, shape.outChannels, Grid(shape))
        let tasks = keepInput ? nil : grid.tasks(shape)
        let chunks = tasks ?? grid.chunks(shape, chunkValues: chunkValues)
        let largest = chunks[0].count * grid.tilesPerSample
        // u (OC, C), v (C, T) and m (OC, T) at each position.
        let (u, v, m) = (Matrices(rows: oc, columns: c), Matrices(rows: c, columns: largest), Matrices(rows: oc, columns: largest))
        let kernels = Conv2D.Scratch(count: u.count)
        weight.storage.withUnsafeBufferPointer { transformKernels($0.baseAddress!, outChannels: oc, inChannels: c, into: kernels.pointer, u) }
        var tiles: Conv2D.Scratch?
        let output = Tensor(shape: shape.outputShape) { y in
            input.storage.withUnsafeBufferPointer { x in
                epilogue.withResidual(shape: shape.outputShape) { residual in
                    bias.withValues { bias in
                        tiles = each(chunks, perCore: tasks != nil, tiles: v.count, products: m.count) { chunk, tiles, products in
                            let t = chunk.count * grid.tilesPerSample
                            let (v, m) = (Matrices(rows: c, columns: t), Matrices(rows: oc, columns: t))
                            // m_p (OC, T) = u_p (OC, C) · v_p (C, T)
                            transformInput(x.baseAddress!, channels: c, samples: chunk, grid, into: tiles.pointer, v)
                            multiply(kernels.pointer, u, tiles.pointer, v, products.pointer, m, k: c)
                            transformOutput(products.pointer, m, channels: oc, samples: chunk, grid, bias: bias, residual: residual,
                                            activation: epilogue.activation, into: y)
                        }
                    }
                }
            }
        }
        let whole = keepInput && chunks.count == 1
        return (output, whole ? ConvolutionCache(keeping: tiles!, kernels: kernels, values: v.count + u.count, shape: shape) : nil)
    }

    /// Runs `convolve(chunk, tiles, products)` for every chunk: with `perCore`, each core takes whole chunks,
    /// from the input's transform to the output's, with no barrier between passes and scratch of its own;
    /// otherwise chunk after chunk on one scratch pair, whose tiles (the last chunk's) it returns.
    static func each(_ chunks: [Range<Int>], perCore: Bool, tiles: Int, products: Int,
                     _ convolve: (Range<Int>, Conv2D.Scratch, Conv2D.Scratch) -> Void) -> Conv2D.Scratch? {
        if perCore {
            Parallel.forEach(chunks.count, work: Parallel.minimumWork) { index in
                convolve(chunks[index], Conv2D.Scratch(count: tiles), Conv2D.Scratch(count: products))
            }
            return nil
        }
        let (shared, results) = (Conv2D.Scratch(count: tiles), Conv2D.Scratch(count: products))
        for chunk in chunks { convolve(chunk, shared, results) }
        return shared
    }

    /// As `Conv2D.backward`; `kept` from this input's forward spares transforming it again.
    public static func backward(
        input: Tensor, weight: Tensor, gradient: Tensor, shape: Conv2DShape, inputGradient wanted: Bool = true,
        kept: ConvolutionCache? = nil, chunkValues: Int = Conv2D.chunkValues
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        precondition(applies(to: shape), "not a Winograd convolution: \(shape)")
        precondition(input.shape == shape.inputShape && weight.shape == shape.weightShape && gradient.shape == shape.outputShape,
                     "input \(input.shape), weight \(weight.shape), gradient \(gradient.shape) for \(shape)")
        let (c, oc, grid) = (shape.inChannels, shape.outChannels, Grid(shape))
        let chunks = grid.chunks(shape, chunkValues: chunkValues)
        let largest = chunks[0].count * grid.tilesPerSample
        let cache = kept.flatMap { $0.shape == shape && chunks.count == 1 ? $0 : nil }
        // Forward's u (OC, C) and v (C, T); dm (OC, T) and du (OC, C) for dL/dw; v' (OC, T) and m' (C, T) for dL/dx.
        let (u, v, dm) = (Matrices(rows: oc, columns: c), Matrices(rows: c, columns: largest), Matrices(rows: oc, columns: largest))
        let (vʹ, mʹ) = (Matrices(rows: oc, columns: largest), Matrices(rows: c, columns: largest))
        let tiles = cache?.scratch ?? Conv2D.Scratch(count: v.count)
        let outputGradient = Conv2D.Scratch(count: dm.count)
        let kernelGradient = Conv2D.Scratch(count: u.count)
        let kernels = cache?.kernels ?? Conv2D.Scratch(count: wanted ? u.count : 0)
        let gradientTiles = Conv2D.Scratch(count: wanted ? vʹ.count : 0)
        let products = Conv2D.Scratch(count: wanted ? mʹ.count : 0)
        if wanted && cache?.kernels == nil {
            weight.storage.withUnsafeBufferPointer { transformKernels($0.baseAddress!, outChannels: oc, inChannels: c, into: kernels.pointer, u) }
        }
        // Writes every value of dx, when there is one, so it needs no zeroing first.
        func run(into dx: UnsafeMutablePointer<Float>?) {
            input.storage.withUnsafeBufferPointer { x in
                gradient.storage.withUnsafeBufferPointer { dy in
                    for (index, chunk) in chunks.enumerated() {
                        let t = chunk.count * grid.tilesPerSample
                        let (v, dm) = (Matrices(rows: c, columns: t), Matrices(rows: oc, columns: t))
                        transformOutputGradient(dy.baseAddress!, channels: oc, samples: chunk, grid, into: outputGradient.pointer, dm)
                        if cache == nil { transformInput(x.baseAddress!, channels: c, samples: chunk, grid, into: tiles.pointer, v) }
                        // du_p (OC, C) = dm_p (OC, T) · v_pᵀ (T, C), summed over chunks.
                        multiply(outputGradient.pointer, dm, tiles.pointer, v, kernelGradient.pointer, u, k: t, transposeB: true,
                                 beta: index == 0 ? 0 : 1)
                        guard let dx else { continue }
                        // dx is dy convolved with the kernels turned 180° and their channels swapped, whose
                        // transform at position (i, j) is the forward's at (π i, π j), π swapping 0 and 3:
                        // m'_p (C, T) = u_πpᵀ (C, OC) · v'_p (OC, T).
                        let (vʹ, mʹ) = (Matrices(rows: oc, columns: t), Matrices(rows: c, columns: t))
                        transformInput(dy.baseAddress!, channels: oc, samples: chunk, grid, into: gradientTiles.pointer, vʹ)
                        multiply(kernels.pointer, u, aPosition: { turned[$0] }, gradientTiles.pointer, vʹ, products.pointer, mʹ,
                                 k: oc, transposeA: true)
                        transformOutput(products.pointer, mʹ, channels: c, samples: chunk, grid, bias: nil, into: dx)
                    }
                }
            }
        }
        let inputGradient = wanted ? Tensor(shape: shape.inputShape) { run(into: $0) } : nil
        if !wanted { run(into: nil) }
        let weightGradient = Tensor(shape: shape.weightShape) {
            kernelGradients(kernelGradient.pointer, u, outChannels: oc, inChannels: c, into: $0)
        }
        return (inputGradient, weightGradient, biasGradient(gradient, channels: oc))
    }

    /// Position p = 4i + j of a kernel turned 180° reads the forward's position 4π(i) + π(j).
    private static let turned: [Int] = {
        let swap = [3, 1, 2, 0]
        return (0..<16).map { 4 * swap[$0 / 4] + swap[$0 % 4] }
    }()

    /// Σ over samples and pixels of dL/dy, per channel.
    private static func biasGradient(_ gradient: Tensor, channels: Int) -> Tensor {
        let (batch, pixels) = (gradient.shape[0], gradient.shape[2] * gradient.shape[3])
        var sums = Tensor(zeros: [channels])
        gradient.storage.withUnsafeBufferPointer { dy in
            sums.storage.withUnsafeMutableBufferPointer { db in
                let (dy, db) = (dy.baseAddress!, db.baseAddress!)
                Parallel.forRanges(channels, work: gradient.count) { range in
                    for channel in range {
                        var sum: Float = 0
                        for sample in 0..<batch {
                            sum += Reduce.sum(dy + (sample * channels + channel) * pixels, count: pixels)
                        }
                        db[channel] = sum
                    }
                }
            }
        }
        return sums
    }
}

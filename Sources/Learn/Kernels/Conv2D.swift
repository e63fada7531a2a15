import Synchronization

/// 2-D convolution (cross-correlation, as in PyTorch) lowered to matrix products. Samples are taken
/// a chunk at a time: im2col lays the chunk's input windows side by side as one (Cg·kh·kw, n·OH·OW)
/// matrix per group, so each group costs one large sgemm with its weights however small the feature
/// maps get, and the product, channel-major, is scattered back to NCHW. The backward pass gathers
/// dL/dy channel-major the same way and takes two more products per group, the weight gradient and
/// the column gradient that col2im folds back onto the input.
///
/// Legend: N = batch, C = inChannels, OC = outChannels, G = groups, Cg = C/G, OCg = OC/G,
/// K = Cg·kh·kw (one output pixel's receptive field), P = OH·OW (output pixels per plane),
/// n = samples in a chunk, L = n·P (columns of the chunk's matrices).
public enum Conv2D {
    /// The im2col matrix of a chunk holds at most this many values (32 MiB), which bounds the
    /// scratch memory of large images and batches while keeping the products wide.
    public static let chunkValues = 1 << 23
    /// Evaluation's chunks (8 MiB), which keep nothing for a backward and so may be smaller: a chunk's
    /// matrices then stay in cache between the lowering, the product and the scatter (or Winograd's
    /// transforms), which measured 20 – 40% faster on ResNet-18's layers at 224 pixels (docs/benchmarks.md).
    public static let evaluationChunkValues = 1 << 21

    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), bias is (OC); returns (N, OC, OH, OW), and
    /// with `keepColumns`, when the batch was lowered in one chunk, its im2col matrix for backward.
    public static func forward(
        input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, keepColumns: Bool = false, epilogue: Epilogue = .none,
        chunkValues: Int = chunkValues
    ) -> (output: Tensor, cache: ConvolutionCache?) {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        if let bias { precondition(bias.shape == [shape.outChannels], "bias \(bias.shape), expected [\(shape.outChannels)]") }
        if !keepColumns && Direct.applies(to: shape) {
            let output = Tensor(shape: shape.outputShape) { y in
                input.storage.withUnsafeBufferPointer { x in
                    weight.storage.withUnsafeBufferPointer { w in
                        epilogue.withResidual(shape: shape.outputShape) { residual in
                            bias.withValues {
                                Direct.forward(x.baseAddress!, w.baseAddress!, bias: $0, residual: residual, activation: epilogue.activation,
                                               shape: shape, into: y)
                            }
                        }
                    }
                }
            }
            return (output, nil)
        }
        let layout = Layout(shape, chunkValues: chunkValues)
        // Without a matrix to keep, the blocked kernel's packing lowers the input itself (`Lowering`). (Each
        // core taking whole chunks, as Winograd's evaluation does, measured no faster here.)
        let implicit = !keepColumns && GEMM.kernel(m: layout.groupOut, n: layout.chunkSize * layout.pixels, k: layout.patch) == .blocked
        let columns = Scratch(count: implicit ? 0 : layout.columnValues)
        let product = Scratch(count: layout.productValues)
        let output = Tensor(shape: shape.outputShape) { y in
            input.storage.withUnsafeBufferPointer { x in
                weight.storage.withUnsafeBufferPointer { w in
                    epilogue.withResidual(shape: shape.outputShape) { residual in
                        layout.table.offsets.withUnsafeBufferPointer { table in
                            for chunk in layout.chunks {
                                let width = chunk.count * layout.pixels
                                if !implicit { lower(x.baseAddress!, samples: chunk, into: columns.pointer, layout) }
                                for group in 0..<shape.groups {
                                    // y_g (OCg, L) = w_g (OCg, K) · columns_g (K, L)
                                    let (weights, target) = (w.baseAddress! + group * layout.groupOut * layout.patch,
                                                             product.pointer + group * layout.groupOut * width)
                                    if implicit {
                                        let lowering = Lowering(input: x.baseAddress!, table: table.baseAddress!, layout: layout, samples: chunk,
                                                                firstChannel: group * layout.groupIn)
                                        GEMM.multiplyBlocked(GEMM.Operand(base: weights, ld: layout.patch, transposed: false),
                                                             GEMM.Operand(lowering: lowering), target, ldc: width,
                                                             m: layout.groupOut, n: width, k: layout.patch, alpha: 1, beta: 0)
                                    } else {
                                        GEMM.multiply(weights, columns.pointer + group * layout.patch * width, target, m: layout.groupOut,
                                                      n: width, k: layout.patch, lda: layout.patch, ldb: width, ldc: width)
                                    }
                                }
                                scatter(product.pointer, samples: chunk, bias: bias?.storage, residual: residual,
                                        activation: epilogue.activation, into: y, layout)
                            }
                        }
                    }
                }
            }
        }
        let whole = keepColumns && layout.chunks.count == 1
        return (output, whole ? ConvolutionCache(keeping: columns, values: layout.columnValues, shape: shape) : nil)
    }

    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), gradient is dL/dy, (N, OC, OH, OW).
    /// Returns dL/dx (N, C, H, W) unless `inputGradient` is false, dL/dweight (OC, Cg, kh, kw) and
    /// dL/dbias (OC); the bias gradient is returned whether or not the layer has a bias, since it costs
    /// one pass over the gradient.
    /// `columns` from this input's forward spares lowering it again.
    public static func backward(
        input: Tensor, weight: Tensor, gradient: Tensor, shape: Conv2DShape, inputGradient wanted: Bool = true,
        columns kept: ConvolutionCache? = nil, chunkValues: Int = chunkValues
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        precondition(gradient.shape == shape.outputShape, "gradient \(gradient.shape), expected \(shape.outputShape)")
        let layout = Layout(shape, chunkValues: chunkValues)
        var inputGradient = Tensor(zeros: wanted ? shape.inputShape : [0])
        var weightGradient = Tensor(zeros: shape.weightShape)
        var biasGradient = Tensor(zeros: [shape.outChannels])
        let reused = kept.flatMap { $0.shape == shape && layout.chunks.count == 1 ? $0.scratch : nil }
        let columns = reused ?? Scratch(count: layout.columnValues)
        let columnGradient = Scratch(count: wanted ? layout.columnValues : 0)
        let product = Scratch(count: layout.productValues)
        input.storage.withUnsafeBufferPointer { x in
            weight.storage.withUnsafeBufferPointer { w in
                gradient.storage.withUnsafeBufferPointer { dy in
                    inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                        weightGradient.storage.withUnsafeMutableBufferPointer { dw in
                            biasGradient.storage.withUnsafeMutableBufferPointer { db in
                                for chunk in layout.chunks {
                                    let width = chunk.count * layout.pixels
                                    gather(dy.baseAddress!, samples: chunk, into: product.pointer, biasGradient: db.baseAddress!, layout)
                                    if reused == nil { lower(x.baseAddress!, samples: chunk, into: columns.pointer, layout) }
                                    for group in 0..<shape.groups {
                                        let dyGroup = product.pointer + group * layout.groupOut * width
                                        let columnsGroup = columns.pointer + group * layout.patch * width
                                        // dw_g (OCg, K) += dy_g (OCg, L) · columns_gᵀ (L, K), summed over chunks.
                                        GEMM.multiply(dyGroup, columnsGroup, dw.baseAddress! + group * layout.groupOut * layout.patch,
                                                      m: layout.groupOut, n: layout.patch, k: width, transposeB: true, beta: 1,
                                                      lda: width, ldb: width, ldc: layout.patch)
                                        guard wanted else { continue }
                                        // dcolumns_g (K, L) = w_gᵀ (K, OCg) · dy_g (OCg, L)
                                        GEMM.multiply(w.baseAddress! + group * layout.groupOut * layout.patch, dyGroup,
                                                      columnGradient.pointer + group * layout.patch * width,
                                                      m: layout.patch, n: width, k: layout.groupOut, transposeA: true,
                                                      lda: layout.patch, ldb: width, ldc: width)
                                    }
                                    if wanted { raise(columnGradient.pointer, samples: chunk, into: dx.baseAddress!, layout) }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (wanted ? inputGradient : nil, weightGradient, biasGradient)
    }

    /// Frees the scratch buffers kept between calls, as a long-running process should once a
    /// training run ends; a later call makes them again.
    public static func releaseScratch() {
        Scratch.releasePool()
    }
}

/// What a convolution's forward leaves for its backward: the im2col matrix of a whole batch, or
/// Winograd's transformed input and kernels. Training lowers every input twice otherwise, and the
/// second time measured about as long as the first. Kept only when the batch fits one chunk, and only
/// while all kept matrices together stay within `budget` values, so a deep model or several runs at
/// once cannot pile them up.
public final class ConvolutionCache: @unchecked Sendable {
    // @unchecked: the scratch is written by forward and then only read, by the same layer's backward.
    let scratch: Conv2D.Scratch
    /// Winograd's transformed kernels, which its input gradient multiplies by again.
    let kernels: Conv2D.Scratch?
    let shape: Conv2DShape
    private let values: Int

    /// 2²⁶ values (256 MiB) across the process.
    static let budget = 1 << 26
    private static let kept = Atomic<Int>(0)

    /// nil when keeping `values` more (both scratches together) would pass the budget.
    init?(keeping scratch: Conv2D.Scratch, kernels: Conv2D.Scratch? = nil, values: Int, shape: Conv2DShape) {
        let total = Self.kept.add(values, ordering: .relaxed).newValue
        guard total <= Self.budget else {
            Self.kept.subtract(values, ordering: .relaxed)
            return nil
        }
        (self.scratch, self.kernels, self.values, self.shape) = (scratch, kernels, values, shape)
    }

    deinit { Self.kept.subtract(values, ordering: .relaxed) }
}

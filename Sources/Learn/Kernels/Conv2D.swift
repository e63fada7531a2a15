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

    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), bias is (OC); returns (N, OC, OH, OW).
    public static func forward(
        input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, chunkValues: Int = chunkValues
    ) -> Tensor {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        if let bias { precondition(bias.shape == [shape.outChannels], "bias \(bias.shape), expected [\(shape.outChannels)]") }
        let layout = Layout(shape, chunkValues: chunkValues)
        let columns = Scratch(count: layout.columnValues)
        let product = Scratch(count: layout.productValues)
        return Tensor(shape: shape.outputShape) { y in
            input.storage.withUnsafeBufferPointer { x in
                weight.storage.withUnsafeBufferPointer { w in
                    for chunk in layout.chunks {
                        let width = chunk.count * layout.pixels
                        lower(x.baseAddress!, samples: chunk, into: columns.pointer, layout)
                        for group in 0..<shape.groups {
                            // y_g (OCg, L) = w_g (OCg, K) · columns_g (K, L)
                            multiply(transposeA: false, transposeB: false, m: layout.groupOut, n: width, k: layout.patch,
                                     a: w.baseAddress! + group * layout.groupOut * layout.patch, lda: layout.patch,
                                     b: columns.pointer + group * layout.patch * width, ldb: width, beta: 0,
                                     c: product.pointer + group * layout.groupOut * width, ldc: width)
                        }
                        scatter(product.pointer, samples: chunk, bias: bias?.storage, into: y, layout)
                    }
                }
            }
        }
    }

    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), gradient is dL/dy, (N, OC, OH, OW).
    /// Returns dL/dx (N, C, H, W) unless `inputGradient` is false, dL/dweight (OC, Cg, kh, kw) and
    /// dL/dbias (OC); the bias gradient is returned whether or not the layer has a bias, since it costs
    /// one pass over the gradient.
    public static func backward(
        input: Tensor, weight: Tensor, gradient: Tensor, shape: Conv2DShape, inputGradient wanted: Bool = true,
        chunkValues: Int = chunkValues
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        precondition(gradient.shape == shape.outputShape, "gradient \(gradient.shape), expected \(shape.outputShape)")
        let layout = Layout(shape, chunkValues: chunkValues)
        var inputGradient = Tensor(zeros: wanted ? shape.inputShape : [0])
        var weightGradient = Tensor(zeros: shape.weightShape)
        var biasGradient = Tensor(zeros: [shape.outChannels])
        let columns = Scratch(count: layout.columnValues)
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
                                    lower(x.baseAddress!, samples: chunk, into: columns.pointer, layout)
                                    for group in 0..<shape.groups {
                                        let dyGroup = product.pointer + group * layout.groupOut * width
                                        let columnsGroup = columns.pointer + group * layout.patch * width
                                        // dw_g (OCg, K) += dy_g (OCg, L) · columns_gᵀ (L, K), summed over chunks.
                                        multiply(transposeA: false, transposeB: true, m: layout.groupOut, n: layout.patch, k: width,
                                                 a: dyGroup, lda: width, b: columnsGroup, ldb: width, beta: 1,
                                                 c: dw.baseAddress! + group * layout.groupOut * layout.patch, ldc: layout.patch)
                                        guard wanted else { continue }
                                        // dcolumns_g (K, L) = w_gᵀ (K, OCg) · dy_g (OCg, L)
                                        multiply(transposeA: true, transposeB: false, m: layout.patch, n: width, k: layout.groupOut,
                                                 a: w.baseAddress! + group * layout.groupOut * layout.patch, lda: layout.patch,
                                                 b: dyGroup, ldb: width, beta: 0,
                                                 c: columnGradient.pointer + group * layout.patch * width, ldc: width)
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

    /// Row-major C (m, n) = op(A) · op(B) + beta·C, with op(A) (m, k) and op(B) (k, n).
    private static func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        GEMM.multiply(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                      beta: beta, lda: lda, ldb: ldb, ldc: ldc)
    }
}

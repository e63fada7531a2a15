import CBLAS

/// 2-D convolution (cross-correlation, as in PyTorch) lowered to matrix products: for each sample
/// and group, im2col lays the input windows out as a (Cg·kh·kw, OH·OW) matrix, and one sgemm with
/// that group's weights gives the group's output planes. The backward pass is two more products per
/// group, one for the weight gradient and one for the column gradient that col2im folds back.
///
/// Legend: N = batch, C = inChannels, OC = outChannels, G = groups, Cg = C/G, OCg = OC/G,
/// K = Cg·kh·kw (one output pixel's receptive field), P = OH·OW (output pixels per plane).
public enum Conv2D {
    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), bias is (OC); returns (N, OC, OH, OW).
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape) -> Tensor {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        let (groupIn, groupOut) = (shape.inChannels / shape.groups, shape.outChannels / shape.groups)
        let (patch, pixels, plane) = (shape.patchSize, shape.outPixels, shape.height * shape.width)

        // Starting from the broadcast bias lets sgemm add onto it (beta = 1) instead of a second pass.
        var output = Tensor(zeros: shape.outputShape)
        if let bias {
            precondition(bias.shape == [shape.outChannels], "bias \(bias.shape), expected [\(shape.outChannels)]")
            for sample in 0..<shape.batch {
                for channel in 0..<shape.outChannels {
                    let start = (sample * shape.outChannels + channel) * pixels
                    output.storage.replaceSubrange(start..<start + pixels,
                                                   with: repeatElement(bias.storage[channel], count: pixels))
                }
            }
        }
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: shape.isPointwise ? 0 : patch * pixels)
        defer { columns.deallocate() }
        input.storage.withUnsafeBufferPointer { x in
            weight.storage.withUnsafeBufferPointer { w in
                output.storage.withUnsafeMutableBufferPointer { y in
                    for sample in 0..<shape.batch {
                        for group in 0..<shape.groups {
                            let image = x.baseAddress! + (sample * shape.inChannels + group * groupIn) * plane
                            let patches = shape.isPointwise ? image : lower(image, into: columns, shape)
                            // y_g (OCg, P) = w_g (OCg, K) · patches (K, P)
                            multiply(transposeA: false, transposeB: false, m: groupOut, n: pixels, k: patch,
                                     a: w.baseAddress! + group * groupOut * patch, lda: patch,
                                     b: patches, ldb: pixels, beta: bias == nil ? 0 : 1,
                                     c: y.baseAddress! + (sample * shape.outChannels + group * groupOut) * pixels,
                                     ldc: pixels)
                        }
                    }
                }
            }
        }
        return output
    }

    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), gradient is dL/dy, (N, OC, OH, OW).
    /// Returns dL/dx (N, C, H, W), dL/dweight (OC, Cg, kh, kw) and dL/dbias (OC); the bias gradient
    /// is returned whether or not the layer has a bias, since it costs one pass over the gradient.
    public static func backward(
        input: Tensor, weight: Tensor, gradient: Tensor, shape: Conv2DShape
    ) -> (input: Tensor, weight: Tensor, bias: Tensor) {
        precondition(input.shape == shape.inputShape, "input \(input.shape), expected \(shape.inputShape)")
        precondition(weight.shape == shape.weightShape, "weight \(weight.shape), expected \(shape.weightShape)")
        precondition(gradient.shape == shape.outputShape, "gradient \(gradient.shape), expected \(shape.outputShape)")
        let (groupIn, groupOut) = (shape.inChannels / shape.groups, shape.outChannels / shape.groups)
        let (patch, pixels, plane) = (shape.patchSize, shape.outPixels, shape.height * shape.width)

        var inputGradient = Tensor(zeros: shape.inputShape)
        var weightGradient = Tensor(zeros: shape.weightShape)
        var biasGradient = Tensor(zeros: [shape.outChannels])
        let scratch = shape.isPointwise ? 0 : patch * pixels
        let columns = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
        let columnGradient = UnsafeMutablePointer<Float>.allocate(capacity: scratch)
        defer {
            columns.deallocate()
            columnGradient.deallocate()
        }
        let ones = [Float](repeating: 1, count: pixels)
        input.storage.withUnsafeBufferPointer { x in
            weight.storage.withUnsafeBufferPointer { w in
                gradient.storage.withUnsafeBufferPointer { dy in
                    inputGradient.storage.withUnsafeMutableBufferPointer { dx in
                        weightGradient.storage.withUnsafeMutableBufferPointer { dw in
                            biasGradient.storage.withUnsafeMutableBufferPointer { db in
                                for sample in 0..<shape.batch {
                                    let dySample = dy.baseAddress! + sample * shape.outChannels * pixels
                                    // db (OC) += dy_n (OC, P) · ones (P): the sum over pixels as a BLAS call.
                                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(shape.outChannels), Int32(pixels),
                                                1, dySample, Int32(pixels), ones, 1, 1, db.baseAddress!, 1)
                                    for group in 0..<shape.groups {
                                        let offset = (sample * shape.inChannels + group * groupIn) * plane
                                        let image = x.baseAddress! + offset
                                        let patches = shape.isPointwise ? image : lower(image, into: columns, shape)
                                        let dyGroup = dySample + group * groupOut * pixels
                                        let wGroup = w.baseAddress! + group * groupOut * patch
                                        // dw_g (OCg, K) += dy_g (OCg, P) · patchesᵀ (P, K), summed over samples.
                                        multiply(transposeA: false, transposeB: true, m: groupOut, n: patch, k: pixels,
                                                 a: dyGroup, lda: pixels, b: patches, ldb: pixels, beta: 1,
                                                 c: dw.baseAddress! + group * groupOut * patch, ldc: patch)
                                        // dpatches (K, P) = w_gᵀ (K, OCg) · dy_g (OCg, P); a pointwise
                                        // convolution's patches are its input, so that lands in dx directly.
                                        let target = shape.isPointwise ? dx.baseAddress! + offset : columnGradient
                                        multiply(transposeA: true, transposeB: false, m: patch, n: pixels, k: groupOut,
                                                 a: wGroup, lda: patch, b: dyGroup, ldb: pixels, beta: 0, c: target,
                                                 ldc: pixels)
                                        if !shape.isPointwise { col2im(columnGradient, dx.baseAddress! + offset, shape) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (inputGradient, weightGradient, biasGradient)
    }

    /// Runs im2col into the scratch buffer and returns it as the patch matrix.
    private static func lower(
        _ image: UnsafePointer<Float>, into columns: UnsafeMutablePointer<Float>, _ shape: Conv2DShape
    ) -> UnsafePointer<Float> {
        im2col(image, columns, shape)
        return UnsafePointer(columns)
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

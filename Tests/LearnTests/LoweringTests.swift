@testable import Learn
import Testing

/// Evaluation's convolution kernels checked directly against training's: implicit im2col (which the debug
/// build's dispatch never picks, since it needs the blocked GEMM kernel that only AVX-512 builds take)
/// against lowering and packing, Winograd with each core taking whole chunks, and the direct kernel for
/// few input channels, both against im2col.
struct LoweringTests {
    static let shapes: [Conv2DShape] = [
        // A stem's few channels, stride and padding; a panel that spans two samples (3 × 3 = 9 pixels each).
        Conv2DShape(batch: 3, inChannels: 3, height: 11, width: 9, outChannels: 8, kernelHeight: 7, kernelWidth: 7, stride: 2, padding: 3),
        Conv2DShape(batch: 5, inChannels: 4, height: 5, width: 5, outChannels: 6, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1),
        // Groups, and a 1×1 downsampling shortcut.
        Conv2DShape(batch: 2, inChannels: 6, height: 8, width: 8, outChannels: 4, kernelHeight: 3, kernelWidth: 3, padding: 1, groups: 2),
        Conv2DShape(batch: 4, inChannels: 8, height: 6, width: 6, outChannels: 16, kernelHeight: 1, kernelWidth: 1, stride: 2),
    ]

    @Test(arguments: shapes)
    func packingLowersWhatIm2colWouldHavePacked(shape: Conv2DShape) {
        let layout = Conv2D.Layout(shape, chunkValues: Conv2D.chunkValues)
        let input = Tensor.normal(shape.inputShape, seed: 2)
        let samples = 0..<shape.batch
        let width = shape.batch * layout.pixels
        var columns = [Float](repeating: .nan, count: layout.columnValues)
        input.storage.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { Conv2D.lower(x.baseAddress!, samples: samples, into: $0.baseAddress!, layout) }
        }
        // Whole and partial ranges, starting off panel boundaries and inside the depth.
        let ranges = [(0..<width, 0..<layout.patch), (5..<width, 1..<layout.patch), (0..<min(width, 33), 3..<min(layout.patch, 20))]
        for group in 0..<shape.groups {
            for (columnRange, depth) in ranges {
                let panels = (columnRange.count + 31) / 32 * 32 * depth.count
                var expected = [Float](repeating: .nan, count: panels), packed = [Float](repeating: .nan, count: panels)
                input.storage.withUnsafeBufferPointer { x in
                    layout.table.offsets.withUnsafeBufferPointer { table in
                        columns.withUnsafeBufferPointer { columns in
                            let operand = GEMM.Operand(base: columns.baseAddress! + group * layout.patch * width, ld: width, transposed: false)
                            expected.withUnsafeMutableBufferPointer { GEMM.packB(operand, columns: columnRange, depth: depth, into: $0.baseAddress!) }
                        }
                        let lowering = Conv2D.Lowering(input: x.baseAddress!, table: table.baseAddress!, layout: layout, samples: samples,
                                                       firstChannel: group * layout.groupIn)
                        packed.withUnsafeMutableBufferPointer {
                            GEMM.packB(GEMM.Operand(lowering: lowering), columns: columnRange, depth: depth, into: $0.baseAddress!)
                        }
                    }
                }
                #expect(packed == expected, "\(shape), group \(group), columns \(columnRange), depth \(depth)")
            }
        }
    }

    /// The product over an implicitly lowered input, as evaluation runs it on AVX-512 builds, against im2col.
    @Test(arguments: shapes)
    func productOverTheLoweredInputIsTheConvolution(shape: Conv2DShape) {
        let layout = Conv2D.Layout(shape, chunkValues: Conv2D.chunkValues)
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 3), Tensor.normal(shape.weightShape, seed: 4))
        let expected = Conv2D.forward(input: input, weight: weight, bias: nil, shape: shape, keepColumns: true).output
        let width = shape.batch * layout.pixels
        var product = [Float](repeating: .nan, count: layout.productValues)
        input.storage.withUnsafeBufferPointer { x in
            weight.storage.withUnsafeBufferPointer { w in
                layout.table.offsets.withUnsafeBufferPointer { table in
                    product.withUnsafeMutableBufferPointer { product in
                        for group in 0..<shape.groups {
                            let lowering = Conv2D.Lowering(input: x.baseAddress!, table: table.baseAddress!, layout: layout,
                                                           samples: 0..<shape.batch, firstChannel: group * layout.groupIn)
                            GEMM.multiplyBlocked(GEMM.Operand(base: w.baseAddress! + group * layout.groupOut * layout.patch, ld: layout.patch,
                                                              transposed: false),
                                                 GEMM.Operand(lowering: lowering), product.baseAddress! + group * layout.groupOut * width,
                                                 ldc: width, m: layout.groupOut, n: width, k: layout.patch, alpha: 1, beta: 0)
                        }
                    }
                }
            }
        }
        let output = Tensor(shape: shape.outputShape) { y in
            product.withUnsafeBufferPointer {
                Conv2D.scatter($0.baseAddress!, samples: 0..<shape.batch, bias: nil, residual: nil, activation: nil, into: y, layout)
            }
        }
        WinogradTests.close(output, expected, "\(shape)")
    }

    /// 64 × 64 planes make 1,024 tiles of F(2×2) a sample and 256 of F(4×4): with four samples every core of a
    /// two-core machine takes two chunks of either.
    @Test func winogradChunksTakenWholeByEachCoreGiveTheConvolution() {
        let shape = Conv2DShape(batch: 4, inChannels: 16, height: 64, width: 64, outChannels: 16, kernelHeight: 3, kernelWidth: 3, padding: 1)
        #expect(Parallel.cores < 2 || Winograd.Grid(shape).tasks(shape)?.count == 4)
        #expect(Parallel.cores < 2 || Winograd.Grid(shape, tile: 4).tasks(shape)?.count == 4)
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 5), Tensor.normal(shape.weightShape, seed: 6))
        let (bias, residual) = (Tensor.normal([16], seed: 7), Tensor.normal(shape.outputShape, seed: 8))
        let backend = CPUBackend.shared
        var expected = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, keepColumns: true).output
        backend.add(residual, into: &expected)
        expected = backend.activation(.relu, expected)
        let epilogue = Epilogue(residual: residual, activation: .relu)
        let output = Winograd.forward(input: input, weight: weight, bias: bias, shape: shape, epilogue: epilogue)
        WinogradTests.close(output.output, expected, "\(shape)")
        let evaluated = Winograd.evaluate(input: input, kernels: WinogradKernels(weight: weight), bias: bias, shape: shape, epilogue: epilogue)
        WinogradTests.close(evaluated, expected, "F(4×4) \(shape)", tolerance: WinogradEvaluationTests.tolerance)
    }

    /// Stems over RGB: ResNet's 7×7/2 with a last block of 32 columns half past the image, and a 3×3/1.
    @Test(arguments: [
        Conv2DShape(batch: 2, inChannels: 3, height: 40, width: 45, outChannels: 16, kernelHeight: 7, kernelWidth: 7, stride: 2, padding: 3),
        Conv2DShape(batch: 3, inChannels: 3, height: 9, width: 33, outChannels: 8, kernelHeight: 3, kernelWidth: 3, padding: 1),
        Conv2DShape(batch: 1, inChannels: 1, height: 20, width: 60, outChannels: 24, kernelHeight: 5, kernelWidth: 5, stride: 3, padding: 2),
    ])
    func directConvolutionOfFewChannelsIsTheConvolution(shape: Conv2DShape) {
        #expect(Conv2D.Direct.applies(to: shape))
        let (input, weight) = (Tensor.normal(shape.inputShape, seed: 9), Tensor.normal(shape.weightShape, seed: 10))
        let (bias, residual) = (Tensor.normal([shape.outChannels], seed: 11), Tensor.normal(shape.outputShape, seed: 12))
        let backend = CPUBackend.shared
        var expected = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, keepColumns: true).output
        backend.add(residual, into: &expected)
        expected = backend.activation(.relu6, expected)
        let output = Conv2D.forward(input: input, weight: weight, bias: bias, shape: shape, epilogue: Epilogue(residual: residual, activation: .relu6))
        WinogradTests.close(output.output, expected, "\(shape)")
    }
}

extension Winograd {
    /// As `forward` without a backward to serve, by F(4×4, 3×3) with kernels transformed beforehand
    /// (`WinogradKernels`): what compiled evaluation runs (`FusedConvolution`).
    public static func evaluate(input: Tensor, kernels: WinogradKernels, bias: Tensor?, shape: Conv2DShape, epilogue: Epilogue = .none,
                                chunkValues: Int = Conv2D.evaluationChunkValues) -> Tensor {
        precondition(applies(to: shape), "not a Winograd convolution: \(shape)")
        precondition(input.shape == shape.inputShape, "input \(input.shape) for \(shape)")
        let (c, oc, grid) = (shape.inChannels, shape.outChannels, Grid(shape, tile: 4))
        precondition(kernels.outChannels == oc && kernels.inChannels == c, "kernels transformed for another shape than \(shape)")
        let tasks = grid.tasks(shape)
        let chunks = tasks ?? grid.chunks(shape, chunkValues: chunkValues)
        let largest = chunks[0].count * grid.tilesPerSample
        let (v, m) = (Matrices(rows: c, columns: largest, positions: 36), Matrices(rows: oc, columns: largest, positions: 36))
        return Tensor(shape: shape.outputShape) { y in
            input.storage.withUnsafeBufferPointer { x in
                epilogue.withResidual(shape: shape.outputShape) { residual in
                    bias.withValues { bias in
                        _ = each(chunks, perCore: tasks != nil, tiles: v.count, products: m.count) { chunk, tiles, products in
                            let t = chunk.count * grid.tilesPerSample
                            let (v, m) = (Matrices(rows: c, columns: t, positions: 36), Matrices(rows: oc, columns: t, positions: 36))
                            transformLargeInput(x.baseAddress!, channels: c, samples: chunk, grid, into: tiles.pointer, v)
                            multiply(kernels.pointer, kernels.layout, tiles.pointer, v, products.pointer, m, k: c)
                            transformLargeOutput(products.pointer, m, channels: oc, samples: chunk, grid, bias: bias, residual: residual,
                                                 activation: epilogue.activation, into: y)
                        }
                    }
                }
            }
        }
    }
}

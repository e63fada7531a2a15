/// Nearest-neighbour upsampling of (N, C, H, W) by a whole factor, the top-down path of a feature
/// pyramid, and its adjoint. PyTorch's `F.interpolate(mode="nearest", scale_factor=f)`.
enum Upsample {
    // y[n, c, oh, ow] = x[n, c, oh / f, ow / f]
    static func nearest(_ input: Tensor, factor: Int) -> Tensor {
        precondition(input.rank == 4 && factor >= 1, "nearest upsampling needs (N, C, H, W) and a factor ≥ 1, got \(input.shape), \(factor)")
        let (planes, height, width) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let (outH, outW) = (height * factor, width * factor)
        return Tensor(shape: [input.shape[0], input.shape[1], outH, outW]) { y in
            input.storage.withUnsafeBufferPointer { x in
                Parallel.forRanges(planes, work: planes * outH * outW) { range in
                    for plane in range {
                        let source = x.baseAddress! + plane * height * width, target = y + plane * outH * outW
                        for oh in 0..<outH {
                            let row = source + oh / factor * width, out = target + oh * outW
                            for ow in 0..<outW { out[ow] = row[ow / factor] }
                        }
                    }
                }
            }
        }
    }

    // dx[n, c, ih, iw] = Σ over the f × f square it was copied to of dy, summed row by row as the GPU does.
    static func nearestBackward(_ gradient: Tensor, factor: Int) -> Tensor {
        precondition(gradient.rank == 4 && factor >= 1 && gradient.shape[2] % factor == 0 && gradient.shape[3] % factor == 0,
                     "nearest upsampling's gradient \(gradient.shape) is not a multiple of \(factor)")
        let (planes, outH, outW) = (gradient.shape[0] * gradient.shape[1], gradient.shape[2], gradient.shape[3])
        let (height, width) = (outH / factor, outW / factor)
        return Tensor(shape: [gradient.shape[0], gradient.shape[1], height, width]) { dx in
            gradient.storage.withUnsafeBufferPointer { dy in
                Parallel.forRanges(planes, work: planes * outH * outW) { range in
                    for plane in range {
                        let source = dy.baseAddress! + plane * outH * outW, target = dx + plane * height * width
                        for ih in 0..<height {
                            for iw in 0..<width {
                                var sum: Float = 0
                                for dh in 0..<factor {
                                    for dw in 0..<factor { sum += source[(ih * factor + dh) * outW + iw * factor + dw] }
                                }
                                target[ih * width + iw] = sum
                            }
                        }
                    }
                }
            }
        }
    }
}

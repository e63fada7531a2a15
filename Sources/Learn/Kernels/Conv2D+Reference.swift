extension Conv2D {
    /// The direct definition in Double, seven nested loops and no lowering: the oracle the tests hold
    /// the im2col path to, and exact enough to take finite differences of.
    /// x is (N, C, H, W), weight is (OC, Cg, kh, kw), bias is (OC); returns (N, OC, OH, OW), row-major.
    static func referenceForward(input: [Double], weight: [Double], bias: [Double]?, shape: Conv2DShape) -> [Double] {
        precondition(input.count == shape.inputShape.reduce(1, *) && weight.count == shape.weightShape.reduce(1, *))
        let (groupIn, groupOut) = (shape.inChannels / shape.groups, shape.outChannels / shape.groups)
        let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
        let (kernelHeight, kernelWidth) = (shape.kernelHeight, shape.kernelWidth)
        var output = [Double](repeating: 0, count: shape.outputShape.reduce(1, *))
        for sample in 0..<shape.batch {
            for outChannel in 0..<shape.outChannels {
                let firstIn = outChannel / groupOut * groupIn
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        var sum = bias?[outChannel] ?? 0
                        for inChannel in 0..<groupIn {
                            for ki in 0..<kernelHeight {
                                for kj in 0..<kernelWidth {
                                    let ih = oh * shape.stride - shape.padding + ki
                                    let iw = ow * shape.stride - shape.padding + kj
                                    guard ih >= 0 && ih < height && iw >= 0 && iw < width else { continue }
                                    let x = input[((sample * shape.inChannels + firstIn + inChannel) * height + ih) * width + iw]
                                    let w = weight[((outChannel * groupIn + inChannel) * kernelHeight + ki) * kernelWidth + kj]
                                    sum += x * w
                                }
                            }
                        }
                        output[((sample * shape.outChannels + outChannel) * outHeight + oh) * outWidth + ow] = sum
                    }
                }
            }
        }
        return output
    }
}

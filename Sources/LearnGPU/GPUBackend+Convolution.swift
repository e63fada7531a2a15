import CUDA
import Learn

/// Convolution as im2col and one batched product per layer, the groups being the product's batch:
/// the input windows of the whole batch laid side by side as (C·kh·kw, N·OH·OW), multiplied by the
/// weights into channel-major (OC, N·OH·OW), then turned to NCHW with the bias added. Backward gathers
/// dL/dy channel-major the same way and takes two more products, the weight gradient and the column
/// gradient that col2im folds back onto the input. Depthwise convolutions (MobileNetV2's) have kernels
/// of their own: their products would be one channel deep.
extension GPUBackend {
    public func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, training: Bool)
        -> (output: Tensor, cache: ConvolutionCache?) {
        precondition(input.shape == shape.inputShape && weight.shape == shape.weightShape,
                     "convolution of \(input.shape) by \(weight.shape), expected \(shape.inputShape) by \(shape.weightShape)")
        let output = empty(shape.outputShape)
        let biasAddress = bias?.address ?? 0
        if shape.isDepthwise {
            launch(.depthwiseForward, over: output.count,
                   [.address(input.address), .address(weight.address), .address(biasAddress), .address(output.address)]
                       + depthwiseSizes(shape))
            return (output, nil)
        }
        let sizes = GroupedProduct(shape)
        let columns = im2col(input, shape)
        let product = empty([shape.outChannels, sizes.columns])
        // y_g (OCg, L) = w_g (OCg, Kg) · columns_g (Kg, L)
        gemm(.nn, m: sizes.groupOut, n: sizes.columns, k: sizes.patch,
             Operand(address: weight.address, leading: sizes.patch, stride: sizes.groupOut * sizes.patch),
             Operand(address: columns.address, leading: sizes.columns, stride: sizes.patch * sizes.columns),
             Operand(address: product.address, leading: sizes.columns, stride: sizes.groupOut * sizes.columns),
             batch: shape.groups)
        launch(.batchFirst, over: output.count, [
            .address(product.address), .address(output.address), .int(shape.batch), .int(shape.outChannels),
            .int(sizes.pixels), .address(biasAddress),
        ])
        return (output, nil)
    }

    public func convolutionBackward(
        _ gradient: Tensor, input: Tensor, weight: Tensor, shape: Conv2DShape, inputGradient wanted: Bool, cache: ConvolutionCache?
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor) {
        precondition(gradient.shape == shape.outputShape, "gradient \(gradient.shape), expected \(shape.outputShape)")
        let sizes = GroupedProduct(shape)
        let biasGradient = empty([shape.outChannels])
        launch(.channelSums, blocks: shape.outChannels, reducing: shape.batch * sizes.pixels, [
            .address(gradient.address), .address(biasGradient.address), .int(shape.batch), .int(shape.outChannels),
            .int(sizes.pixels),
        ])
        let weightGradient = empty(shape.weightShape)
        if shape.isDepthwise {
            launch(.depthwiseBackwardWeight, blocks: shape.outChannels * shape.kernelHeight * shape.kernelWidth,
                   reducing: shape.batch * sizes.pixels,
                   [.address(gradient.address), .address(input.address), .address(weightGradient.address)] + depthwiseSizes(shape))
            guard wanted else { return (nil, weightGradient, biasGradient) }
            let inputGradient = empty(shape.inputShape)
            launch(.depthwiseBackwardInput, over: inputGradient.count,
                   [.address(gradient.address), .address(weight.address), .address(inputGradient.address)] + depthwiseSizes(shape))
            return (inputGradient, weightGradient, biasGradient)
        }
        let gathered = empty([shape.outChannels, sizes.columns])
        launch(.channelsFirst, over: gathered.count, [
            .address(gradient.address), .address(gathered.address), .int(shape.batch), .int(shape.outChannels), .int(sizes.pixels),
        ])
        let columns = im2col(input, shape)
        let dy = Operand(address: gathered.address, leading: sizes.columns, stride: sizes.groupOut * sizes.columns)
        let weights = Operand(address: weight.address, leading: sizes.patch, stride: sizes.groupOut * sizes.patch)
        // dw_g (OCg, Kg) = dy_g (OCg, L) · columns_gᵀ (L, Kg)
        gemm(.nt, m: sizes.groupOut, n: sizes.patch, k: sizes.columns, dy,
             Operand(address: columns.address, leading: sizes.columns, stride: sizes.patch * sizes.columns),
             Operand(address: weightGradient.address, leading: sizes.patch, stride: sizes.groupOut * sizes.patch),
             batch: shape.groups)
        guard wanted else { return (nil, weightGradient, biasGradient) }
        // dcolumns_g (Kg, L) = w_gᵀ (Kg, OCg) · dy_g (OCg, L), into the columns' own memory, read no more.
        gemm(.tn, m: sizes.patch, n: sizes.columns, k: sizes.groupOut, weights, dy,
             Operand(address: columns.address, leading: sizes.columns, stride: sizes.patch * sizes.columns),
             batch: shape.groups)
        let inputGradient = empty(shape.inputShape)
        launch(.col2im, over: inputGradient.count,
               [.address(columns.address), .address(inputGradient.address)] + windowSizes(shape))
        return (inputGradient, weightGradient, biasGradient)
    }

    /// The (C·kh·kw, N·OH·OW) matrix of every input window.
    private func im2col(_ input: Tensor, _ shape: Conv2DShape) -> Tensor {
        let sizes = GroupedProduct(shape)
        let columns = empty([shape.inChannels * shape.kernelHeight * shape.kernelWidth, sizes.columns])
        launch(.im2col, over: columns.count, [.address(input.address), .address(columns.address)] + windowSizes(shape))
        return columns
    }

    private func windowSizes(_ shape: Conv2DShape) -> [KernelArgument] {
        [.int(shape.batch), .int(shape.inChannels), .int(shape.height), .int(shape.width), .int(shape.kernelHeight),
         .int(shape.kernelWidth), .int(shape.stride), .int(shape.padding), .int(shape.outHeight), .int(shape.outWidth)]
    }

    private func depthwiseSizes(_ shape: Conv2DShape) -> [KernelArgument] {
        [.int(shape.batch), .int(shape.inChannels), .int(shape.height), .int(shape.width), .int(shape.kernelHeight),
         .int(shape.stride), .int(shape.padding), .int(shape.outHeight), .int(shape.outWidth)]
    }
}

/// The sizes of a convolution's products. Legend as Conv2D's: OCg output channels and Kg = Cg·kh·kw
/// rows per group, L = N·OH·OW columns.
private struct GroupedProduct {
    let groupOut: Int
    let patch: Int
    let pixels: Int
    let columns: Int

    init(_ shape: Conv2DShape) {
        groupOut = shape.outChannels / shape.groups
        patch = shape.inChannels / shape.groups * shape.kernelHeight * shape.kernelWidth
        pixels = shape.outHeight * shape.outWidth
        columns = shape.batch * pixels
    }
}

extension Conv2DShape {
    /// One square filter per channel: MobileNetV2's depthwise convolutions.
    var isDepthwise: Bool {
        groups > 1 && groups == inChannels && groups == outChannels && kernelHeight == kernelWidth
    }
}

import CUDA
import Learn

/// The training step on the device: the loss with its gradient and correct count, predictions,
/// gradient clipping and the optimizers' updates, with only the labels going up and the loss and
/// correct count coming back.
extension GPUBackend {
    public func zero(_ tensor: inout Tensor) {
        if tensor.hasUniqueDeviceBuffer() {
            fill(tensor, with: 0)
        } else {
            tensor = zeros(tensor.shape)
        }
    }

    public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float, batchSize: Int) -> CrossEntropy {
        precondition(logits.rank == 2 && labels.count == logits.shape[0], "\(labels.count) labels for logits \(logits.shape)")
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        precondition(batchSize >= batch, "a batch of \(batchSize) cannot hold \(batch) rows")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes }, "a label outside 0..<\(classes)")
        let deviceLabels = upload(labels.map { Int32($0) })
        let gradient = empty(logits.shape)
        let (rowLoss, rowCorrect, totals) = (empty([batch]), buffer(bytes: batch * 4), empty([2]))
        // The same targets SoftmaxCrossEntropy works out, in double and then rounded once.
        let onTarget = Double(1 - labelSmoothing) + Double(labelSmoothing) / Double(classes)
        let offTarget = Double(labelSmoothing) / Double(classes)
        launch(.softmaxCrossEntropy, blocks: batch, reducing: classes, [
            .address(logits.address), .address(deviceLabels.address), .address(gradient.address), .address(rowLoss.address),
            .address(rowCorrect.address), .int(batchSize), .int(classes), .float(Float(onTarget)), .float(Float(offTarget)),
        ])
        launch(.lossTotals, blocks: 1, reducing: batch,
               [.address(rowLoss.address), .address(rowCorrect.address), .address(totals.address), .int(batch)])
        guard let values = try? download(totals.address, count: 2, as: Float.self) else {
            return CrossEntropy(loss: .nan, correct: 0, gradient: gradient)
        }
        return CrossEntropy(loss: values[0], correct: Int(values[1]), gradient: gradient)
    }

    public func predictions(_ logits: Tensor) -> [Prediction] {
        precondition(logits.rank == 2, "predictions need (N, C) logits, got \(logits.shape)")
        let batch = logits.shape[0]
        // Classes then confidences in one block, so they come back in one copy and one wait.
        let results = buffer(bytes: 2 * batch * 4)
        launch(.softmaxPredictions, blocks: batch, reducing: logits.shape[1], [
            .address(logits.address), .address(results.address), .address(results.address + UInt64(batch * 4)), .int(batch),
            .int(logits.shape[1]),
        ])
        guard let words = try? download(results.address, count: 2 * batch, as: UInt32.self) else {
            return Array(repeating: (0, 0), count: batch)
        }
        return (0..<batch).map { (Int(Int32(bitPattern: words[$0])), Float(bitPattern: words[batch + $0])) }
    }

    /// Sums of squares per block of every gradient into one partials buffer, the norm and the scale
    /// from them in one block, then every gradient times the scale, which stays on the device.
    public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) {
        precondition(maxNorm > 0, "clipNorm needs a positive maxNorm, got \(maxNorm)")
        let blocks = parameters.map { min(($0.gradient.count + Self.blockSize - 1) / Self.blockSize, Self.normBlocks) }
        let partials = empty([max(1, blocks.reduce(0, +))])
        var offset = 0
        for (parameter, count) in zip(parameters, blocks) where count > 0 {
            launch(.sumSquares, grid: Dimensions(count), block: Dimensions(Self.blockSize), [
                .address(parameter.gradient.address), .int(parameter.gradient.count), .address(partials.address + UInt64(offset * 4)),
            ])
            offset += count
        }
        let result = empty([2])
        launch(.clipCoefficient, blocks: 1, reducing: offset, [.address(partials.address), .int(offset), .float(maxNorm), .address(result.address)])
        for parameter in parameters {
            makeUnique(&parameter.gradient)
            launch(.scaleBy, over: parameter.gradient.count,
                   [.address(parameter.gradient.address), .address(result.address + 4), .int(parameter.gradient.count)])
        }
    }

    /// Blocks per gradient in the norm's first pass: enough to fill a card for the largest tensors.
    static let normBlocks = 64

    public func sgdUpdate(_ parameter: Parameter, momentum: inout Tensor?, settings: SGD.Settings, fresh: Bool) {
        precondition(parameter.gradient.count == parameter.value.count, "\(parameter.name): gradient and value sizes differ")
        makeUnique(&parameter.value)
        if momentum != nil { makeUnique(&momentum!) }
        launch(.sgd, over: parameter.value.count, [
            .address(parameter.value.address), .address(parameter.gradient.address), .address(momentum?.address ?? 0),
            .int(parameter.value.count), .float(settings.learningRate), .float(settings.momentum), .float(settings.keep),
            .float(settings.weightDecay), .int(settings.nesterov ? 1 : 0), .int(fresh ? 1 : 0),
        ])
    }

    public func adamWUpdate(_ parameter: Parameter, firstMoment: inout Tensor, secondMoment: inout Tensor,
                            constants: AdamW.Constants) {
        precondition(parameter.gradient.count == parameter.value.count, "\(parameter.name): gradient and value sizes differ")
        makeUnique(&parameter.value)
        makeUnique(&firstMoment)
        makeUnique(&secondMoment)
        launch(.adamW, over: parameter.value.count, [
            .address(parameter.value.address), .address(parameter.gradient.address), .address(firstMoment.address),
            .address(secondMoment.address), .int(parameter.value.count), .float(constants.decay), .float(constants.stepSize),
            .float(constants.correction2Root), .float(constants.beta1), .float(constants.beta2), .float(constants.epsilon),
        ])
    }

    /// Raw pixels go up as bytes, interleaved as images are decoded (N, H, W, 3), a quarter of the floats'
    /// size, and the normalization kernel writes the model's (N, 3, H, W) input from them.
    public func uploadPixels(_ pixels: Tensor, normalization: PixelNormalization) -> Tensor {
        precondition(pixels.rank == 4 && pixels.shape[1] == 3 && pixels.deviceBuffer == nil, "host pixels (N, 3, H, W), got \(pixels.shape)")
        let (batch, height, width) = (pixels.shape[0], pixels.shape[2], pixels.shape[3])
        let plane = height * width
        let bytes = buffer(bytes: pixels.count)
        attempt { () throws(GPUError) in
            try uploads.upload(bytes: pixels.count, to: bytes.address, compute: stream) { staging in
                let target = staging.assumingMemoryBound(to: UInt8.self)
                pixels.storage.withUnsafeBufferPointer { source in
                    for image in 0..<batch {
                        for channel in 0..<3 {
                            let from = (image * 3 + channel) * plane, to = image * plane * 3 + channel
                            for pixel in 0..<plane { target[to + pixel * 3] = UInt8(source[from + pixel]) }
                        }
                    }
                }
            }
        }
        let images = empty(pixels.shape)
        let (mean, std) = (normalization.mean, normalization.std)
        launch(.normalizePixels, over: images.count, [
            .address(bytes.address), .address(images.address), .int(batch), .int(height), .int(width), .float(mean[0]),
            .float(mean[1]), .float(mean[2]), .float(std[0]), .float(std[1]), .float(std[2]),
        ])
        return images
    }

    /// 32-bit integers on the device (labels), through the batches' staging buffers.
    func upload(_ values: [Int32]) -> DeviceBuffer {
        let bytes = values.count * MemoryLayout<Int32>.stride
        let uploaded = buffer(bytes: bytes)
        attempt { () throws(GPUError) in
            try uploads.upload(bytes: bytes, to: uploaded.address, compute: stream) { staging in
                values.withUnsafeBytes { staging.copyMemory(from: $0.baseAddress!, byteCount: bytes) }
            }
        }
        return uploaded
    }
}

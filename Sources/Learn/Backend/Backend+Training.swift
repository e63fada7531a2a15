/// The training step's operations on host tensors: every backend whose values live in host memory
/// uses these as they are, and a device backend replaces each.
extension Backend {
    public func place(_ model: any Layer) {}

    public func upload(_ tensor: Tensor) -> Tensor {
        precondition(tensor.deviceBuffer == nil, "a \(tensor.device) tensor on the \(device) backend")
        return tensor
    }

    public func uploadPixels(_ pixels: Tensor, normalization: PixelNormalization) -> Tensor {
        precondition(pixels.rank == 4 && pixels.shape[1] == 3, "pixels are (N, 3, H, W), got \(pixels.shape)")
        let plane = pixels.shape[2] * pixels.shape[3]
        var normalized = upload(pixels)
        normalized.storage.withUnsafeMutableBufferPointer { values in
            for image in 0..<pixels.shape[0] {
                for channel in 0..<3 {
                    let (scale, offset) = normalization.scaleAndOffset(channel)
                    let base = (image * 3 + channel) * plane
                    for i in base..<base + plane { values[i] = values[i] * scale + offset }
                }
            }
        }
        return normalized
    }

    public func zeros(_ shape: [Int]) -> Tensor {
        Tensor(zeros: shape)
    }

    public func zero(_ tensor: inout Tensor) {
        tensor.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float, batchSize: Int) -> CrossEntropy {
        let (loss, gradient) = SoftmaxCrossEntropy(labelSmoothing: labelSmoothing)(logits, labels: labels, batchSize: batchSize)
        let correct = zip(predictions(logits), labels).filter { $0.0.label == $0.1 }.count
        return CrossEntropy(loss: loss, correct: correct, gradient: gradient)
    }

    public func predictions(_ logits: Tensor) -> [Prediction] {
        SoftmaxCrossEntropy.predictions(logits)
    }

    public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) {
        GradientClipping.clipNorm(parameters, maxNorm: maxNorm)
    }

    public func sgdUpdate(_ parameter: Parameter, momentum: inout Tensor?, settings: SGD.Settings, fresh: Bool) {
        precondition(parameter.gradient.count == parameter.value.count, "\(parameter.name): gradient and value sizes differ")
        if var buffer = momentum {
            momentum = nil  // so the buffer's storage is uniquely referenced while it is written
            buffer.storage.withUnsafeMutableBufferPointer { b in SGD.update(parameter, buffer: b.baseAddress, fresh: fresh, settings) }
            momentum = buffer
        } else {
            SGD.update(parameter, buffer: nil, fresh: fresh, settings)
        }
    }

    public func adamWUpdate(_ parameter: Parameter, firstMoment: inout Tensor, secondMoment: inout Tensor,
                            constants: AdamW.Constants) {
        precondition(parameter.gradient.count == parameter.value.count, "\(parameter.name): gradient and value sizes differ")
        firstMoment.storage.withUnsafeMutableBufferPointer { m in
            secondMoment.storage.withUnsafeMutableBufferPointer { v in
                AdamW.update(parameter, m.baseAddress!, v.baseAddress!, constants)
            }
        }
    }

    public func synchronize() throws {}
}

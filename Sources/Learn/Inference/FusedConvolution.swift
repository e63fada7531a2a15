/// A convolution as evaluation runs it: the batch norm after it folded into its weights and bias, and the
/// activation after that applied in the pass that stores the output (`Epilogue`), so the three layers cost
/// one. Its weights are a copy made when the model is compiled (`InferenceModel`).
public final class FusedConvolution {
    /// The convolution's geometry (kernel, stride, padding, groups); its weights are not read.
    public let layer: Conv2DLayer
    /// (OC, C/groups, k, k) on the backend's device.
    public let weight: Tensor
    /// (OC): the layer's bias, or zeros, with the batch norm folded in.
    public let bias: Tensor
    public let activation: Activation?
    /// The weight's Winograd transform, where the host evaluates the layer that way.
    let winogradKernels: WinogradKernels?

    /// `layer`, then `norm` (in evaluation: running statistics), then `activation`.
    public init(_ layer: Conv2DLayer, norm: BatchNorm2DLayer?, activation: Activation?, backend: any Backend) throws {
        var weights = try layer.weight.value.hostValues()
        var bias = try layer.bias?.value.hostValues() ?? [Float](repeating: 0, count: layer.outChannels)
        if let norm {
            precondition(norm.channels == layer.outChannels, "a batch norm of \(norm.channels) channels after \(layer.outChannels)")
            bias = Self.fold(weights: &weights, bias: bias, gamma: try norm.gamma.value.hostValues(), beta: try norm.beta.value.hostValues(),
                             mean: try norm.runningMean.hostValues(), variance: try norm.runningVariance.hostValues(), epsilon: norm.epsilon)
        }
        let host = Tensor(shape: layer.weight.value.shape, storage: weights)
        (self.layer, self.activation) = (layer, activation)
        (weight, self.bias) = (backend.upload(host), backend.upload(Tensor(shape: [layer.outChannels], storage: bias)))
        // Winograd's rule reads only the kernel's geometry and channels, not the input's size.
        let geometry = layer.shape(for: [1, layer.inChannels, layer.kernel, layer.kernel])
        winogradKernels = backend.device == .cpu && Winograd.applies(to: geometry) ? WinogradKernels(weight: host) : nil
    }

    /// Batch norm folded into the convolution before it: w' = w·γ/σ per output channel and
    /// b' = (b − μ)·γ/σ + β, σ = √(running variance + ε). Returns b' and scales `weights` in place.
    public static func fold(weights: inout [Float], bias: [Float], gamma: [Float], beta: [Float], mean: [Float], variance: [Float],
                            epsilon: Float) -> [Float] {
        let perChannel = weights.count / bias.count
        return bias.indices.map { channel in
            let scale = gamma[channel] / (variance[channel] + epsilon).squareRoot()
            for i in channel * perChannel..<(channel + 1) * perChannel { weights[i] *= scale }
            return (bias[channel] - mean[channel]) * scale + beta[channel]
        }
    }
}

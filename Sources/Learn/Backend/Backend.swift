/// The arithmetic the layers need, on one device. Layers hold their parameters and what backward
/// needs, and leave every loop over values to their backend, so a backend for another device
/// implements this protocol while the layers, models, trainer and checkpoints stay as they are
/// (docs/decisions.md, "A backend seam"). Gradients come back as fresh tensors; the layer adds them
/// to its parameters' through `accumulate`, since gradients accumulate across backward calls.
public protocol Backend: AnyObject, Sendable {
    var device: Device { get }

    /// x (N, C, H, W), weight (OC, C/G, kh, kw), bias (OC) → (N, OC, OH, OW), and in training what
    /// backward may reuse.
    func convolution(_ input: Tensor, weight: Tensor, bias: Tensor?, shape: Conv2DShape, training: Bool)
        -> (output: Tensor, cache: ConvolutionCache?)
    /// dL/dy (N, OC, OH, OW) → dL/dx (only when `inputGradient`), dL/dweight and dL/dbias
    func convolutionBackward(
        _ gradient: Tensor, input: Tensor, weight: Tensor, shape: Conv2DShape, inputGradient: Bool, cache: ConvolutionCache?
    ) -> (input: Tensor?, weight: Tensor, bias: Tensor)

    /// Per-channel normalization of (N, C, H, W), updating the running statistics in training.
    func batchNorm(
        _ input: Tensor, gamma: Tensor, beta: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
        momentum: Float, epsilon: Float, training: Bool
    ) -> (output: Tensor, cache: BatchNormCache)
    func batchNormBackward(_ gradient: Tensor, cache: BatchNormCache) -> (input: Tensor, gamma: Tensor, beta: Tensor)

    /// Also returns where each maximum came from, on the same device, for backward.
    func maxPool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: PoolIndices)
    func maxPoolBackward(_ gradient: Tensor, argmax: PoolIndices, inputShape: [Int]) -> Tensor
    func averagePool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor
    func averagePoolBackward(_ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor
    /// (N, C, H, W) → (N, C)
    func globalAveragePool(_ input: Tensor) -> Tensor
    func globalAveragePoolBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor

    /// x (N, in) · weight (in, out) + bias (out) → (N, out)
    func linear(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor
    func linearBackward(_ gradient: Tensor, input: Tensor, weight: Tensor) -> (input: Tensor, weight: Tensor, bias: Tensor)

    func activation(_ kind: Activation, _ input: Tensor) -> Tensor
    /// dL/dy → dL/dx given the activation's input.
    func activationBackward(_ kind: Activation, _ gradient: Tensor, input: Tensor) -> Tensor
    /// target += source, elementwise.
    func add(_ source: Tensor, into target: inout Tensor)
    /// Inverted dropout with the mask `DropoutMask` draws from `seed`: every backend drops the same
    /// values, so a model trains alike on each device.
    func dropout(_ input: Tensor, probability: Float, seed: UInt64) -> Tensor
    /// dL/dy → dL/dx through the same mask.
    func dropoutBackward(_ gradient: Tensor, probability: Float, seed: UInt64) -> Tensor
}

/// Max pooling's choice per output value: the index within its input plane (ih·W + iw) of the maximum,
/// on the host (`values`) or in a device's memory (`deviceBuffer`, 32-bit integers).
public struct PoolIndices: Sendable {
    public let values: [Int32]
    public let deviceBuffer: DeviceBuffer?

    public init(values: [Int32]) {
        (self.values, self.deviceBuffer) = (values, nil)
    }

    public init(deviceBuffer: DeviceBuffer) {
        (self.values, self.deviceBuffer) = ([], deviceBuffer)
    }
}

/// The elementwise nonlinearities, named so that a backend can run each as one kernel.
public enum Activation: Sendable {
    /// max(0, x); the subgradient at 0 is 0.
    case relu
    /// min(max(0, x), 6); the kinks take the flat side.
    case relu6
}

extension Backend {
    /// Adds a freshly computed gradient onto a parameter's.
    func accumulate(_ gradient: Tensor, into parameter: Parameter) {
        precondition(gradient.shape == parameter.gradient.shape,
                     "\(parameter.name) gradient \(gradient.shape), expected \(parameter.gradient.shape)")
        add(gradient, into: &parameter.gradient)
    }
}

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

    // Batch norm's passes one by one, for a batch split across replicas (`BatchNorm2DLayer` in a
    // `ReplicaGroup`): the layer adds each replica's sums across the group between the passes.

    /// Per channel of (N, C, H, W) on the host: Σx, or Σ(x − center[c])² given a center, added in Double.
    func channelSums(_ input: Tensor, center: [Float]?) -> [Double]
    /// Training batch norm by statistics given on the host, taken over `count` values per channel.
    func batchNorm(_ input: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], inverseDeviation: [Float], count: Int)
        -> (output: Tensor, cache: BatchNormCache)
    /// This replica's dL/dgamma = Σ dy·x̂ and dL/dbeta = Σ dy.
    func batchNormParameterGradients(_ gradient: Tensor, cache: BatchNormCache) -> (gamma: Tensor, beta: Tensor)
    /// dL/dx given Σ dy·x̂ and Σ dy over all `cache.count` values per channel, on the host.
    func batchNormInputGradient(_ gradient: Tensor, cache: BatchNormCache, gammaSums: [Float], betaSums: [Float]) -> Tensor

    /// Evaluation's convolution (`FusedConvolution`): batch norm folded in, then `residual` added and the
    /// activation applied, in one pass over the output where the backend fuses them (Backend+Evaluation.swift
    /// has the layer-by-layer composition).
    func fusedConvolution(_ input: Tensor, _ convolution: FusedConvolution, residual: Tensor?) -> Tensor

    /// Also returns where each maximum came from, on the same device, for backward.
    func maxPool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> (output: Tensor, argmax: PoolIndices)
    /// Evaluation's max pooling: the output alone.
    func maxPoolOutput(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor
    func maxPoolBackward(_ gradient: Tensor, argmax: PoolIndices, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor
    func averagePool(_ input: Tensor, kernel: Int, stride: Int, padding: Int) -> Tensor
    func averagePoolBackward(_ gradient: Tensor, inputShape: [Int], kernel: Int, stride: Int, padding: Int) -> Tensor
    /// (N, C, H, W) → (N, C)
    func globalAveragePool(_ input: Tensor) -> Tensor
    func globalAveragePoolBackward(_ gradient: Tensor, inputShape: [Int]) -> Tensor
    /// (N, C, H, W) → (N, C, H·factor, W·factor), each value copied over its factor × factor square.
    func upsampleNearest(_ input: Tensor, factor: Int) -> Tensor
    /// dL/dy (N, C, H·factor, W·factor) → dL/dx (N, C, H, W): each square's gradients summed.
    func upsampleNearestBackward(_ gradient: Tensor, factor: Int) -> Tensor

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

    // What a training step asks besides the layers; Backend+Training.swift holds the host versions,
    // which a backend whose tensors live on the host takes as they are.

    /// Moves a model built for this backend onto its device: parameters with zeroed gradients, and
    /// batch norms' running statistics. Models are built on the host, from a host random stream, so every
    /// device starts from the same weights.
    func place(_ model: any Layer)
    /// A host tensor's values on this backend's device (the batch going up); one already there as it is.
    func upload(_ tensor: Tensor) -> Tensor
    /// (N, 3, H, W) raw pixel values (whole numbers 0 to 255) normalized on this backend's device.
    func uploadPixels(_ pixels: Tensor, normalization: PixelNormalization) -> Tensor
    /// A tensor of zeros on this backend's device.
    func zeros(_ shape: [Int]) -> Tensor
    /// Sets every value of `tensor` to zero.
    func zero(_ tensor: inout Tensor)
    /// Softmax cross-entropy of (N, C) logits against labels, with label smoothing: the rows' mean
    /// loss, how many rows' arg-max is their label, and dLoss/dLogits of the mean loss over a batch of
    /// `batchSize` (N, or more when these rows are one replica's slice of the batch).
    func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float, batchSize: Int) -> CrossEntropy
    /// Each row's arg-max class (the lower on ties) and its softmax probability.
    func predictions(_ logits: Tensor) -> [Prediction]
    /// torch's clip_grad_norm_ over all the parameters' gradients together (`GradientClipping`).
    func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float)
    /// One parameter's SGD update (`SGD` has the algorithm); `momentum` is nil without momentum, and
    /// `fresh` on the parameter's first step, when the buffer starts as the gradient.
    func sgdUpdate(_ parameter: Parameter, momentum: inout Tensor?, settings: SGD.Settings, fresh: Bool)
    /// One parameter's AdamW update with the step's constants (`AdamW` has the algorithm).
    func adamWUpdate(_ parameter: Parameter, firstMoment: inout Tensor, secondMoment: inout Tensor, constants: AdamW.Constants)
    /// Waits for the work queued so far and throws its first failure. A device backend queues work
    /// and reports failures late, as CUDA does; on the host every operation is done when it returns.
    func synchronize() throws
}

/// A batch's loss, correct predictions and the loss gradient.
public struct CrossEntropy {
    public let loss: Float
    public let correct: Int
    public let gradient: Tensor

    public init(loss: Float, correct: Int, gradient: Tensor) {
        (self.loss, self.correct, self.gradient) = (loss, correct, gradient)
    }
}

/// An arg-max class and its softmax probability.
public typealias Prediction = (label: Int, confidence: Float)

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
    /// Softmax cross-entropy of a whole batch.
    public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> CrossEntropy {
        softmaxCrossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing, batchSize: labels.count)
    }

    /// Adds a freshly computed gradient onto a parameter's.
    func accumulate(_ gradient: Tensor, into parameter: Parameter) {
        precondition(gradient.shape == parameter.gradient.shape,
                     "\(parameter.name) gradient \(gradient.shape), expected \(parameter.gradient.shape)")
        add(gradient, into: &parameter.gradient)
    }
}

/// The contract every layer meets. Layers are classes because forward keeps what backward needs
/// (inputs, masks) and backward accumulates into parameter gradients that optimizers share.
public protocol Layer: AnyObject {
    /// Forward for a batch; `training` switches dropout/batch-norm behaviour. Keeps what backward needs.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// Given dLoss/dOutput, accumulates dLoss/dParameters into the gradients and returns dLoss/dInput.
    func backward(_ gradient: Tensor) -> Tensor
    /// Backward for a layer whose input is data, as a model's first layer is in training: accumulates
    /// dLoss/dParameters and skips dLoss/dInput, which nothing would read (PyTorch's input without
    /// `requires_grad`). Layers for which dInput costs real work override it.
    func accumulateGradients(_ gradient: Tensor)
    /// Parameters and their gradients, in a fixed order (optimizers and checkpoints rely on it).
    var parameters: [Parameter] { get }
}

extension Layer {
    public func accumulateGradients(_ gradient: Tensor) {
        _ = backward(gradient)
    }
}

/// A trainable tensor and the gradient accumulated for it. A class so that a layer, its optimizer
/// and a checkpoint all see the same storage.
public final class Parameter {
    public var value: Tensor
    public var gradient: Tensor
    /// Stable within its layer (for example "weight", "bias"); checkpoints key on it.
    public let name: String
    /// What optimizers multiply their learning rate by for this parameter (a pretrained backbone's may learn
    /// slower than a new head); 0 freezes it: optimizers then leave it and its state alone.
    public var learningRateScale: Float = 1

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.gradient = Tensor(zeros: value.shape)
    }

    /// Gradients accumulate across backward calls, so an optimizer step clears them first.
    public func zeroGradient() {
        gradient.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}

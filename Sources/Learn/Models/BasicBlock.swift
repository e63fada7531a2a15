/// ResNet's basic block (torchvision's BasicBlock, expansion 1):
///
///     y = ReLU(BN(conv3×3(BN-ReLU(conv3×3/stride(x)))) + shortcut(x))
///
/// The shortcut is the identity when the shape is kept, else conv1×1/stride + BN (torchvision's
/// downsample), which is why the identity-only `Residual` does not fit.
public final class BasicBlock: Layer {
    /// conv3×3/stride-BN-ReLU-conv3×3-BN
    public let main: Sequential
    /// conv1×1/stride-BN, or nil for the identity.
    public let shortcut: Sequential?
    public let backend: any Backend
    private let activation: ActivationLayer

    public init(inChannels: Int, outChannels: Int, stride: Int, backend: any Backend = CPUBackend.shared, random: inout Random) {
        main = Sequential(
            Models.convBatchNorm(inChannels, outChannels, kernel: 3, stride: stride, backend: backend, random: &random)
                + [ActivationLayer(.relu, backend: backend)]
                + Models.convBatchNorm(outChannels, outChannels, kernel: 3, backend: backend, random: &random))
        shortcut = stride == 1 && inChannels == outChannels
            ? nil
            : Sequential(Models.convBatchNorm(inChannels, outChannels, kernel: 1, stride: stride, backend: backend,
                                              random: &random))
        self.backend = backend
        activation = ActivationLayer(.relu, backend: backend)
    }

    /// torchvision's order: conv1, bn1, conv2, bn2, then the downsample's conv and bn.
    public var parameters: [Parameter] { main.parameters + (shortcut?.parameters ?? []) }

    // x is (N, C, H, W), y is (N, OC, H/stride, W/stride) (rounded up)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var sum = main.forward(input, training: training)
        let skip = shortcut?.forward(input, training: training) ?? input
        precondition(sum.shape == skip.shape, "BasicBlock paths disagree: \(sum.shape) and \(skip.shape)")
        backend.add(skip, into: &sum)
        return activation.forward(sum, training: training)
    }

    // dy is (N, OC, OH, OW); both paths receive the gradient of the sum, and their input gradients add
    public func backward(_ gradient: Tensor) -> Tensor {
        let sumGradient = activation.backward(gradient)
        var inputGradient = main.backward(sumGradient)
        let skipGradient = shortcut?.backward(sumGradient) ?? sumGradient
        backend.add(skipGradient, into: &inputGradient)
        return inputGradient
    }
}

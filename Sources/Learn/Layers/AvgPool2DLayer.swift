/// Square average pooling over each (H, W) plane (PyTorch's AvgPool2d, padding counted in the
/// divisor); the stride defaults to the kernel.
public final class AvgPool2DLayer: Layer {
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    private var inputShape: [Int]?

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    public var parameters: [Parameter] { [] }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return Pool2D.averageForward(input, kernel: kernel, stride: stride, padding: padding)
    }

    // dy is (N, C, OH, OW), dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("AvgPool2DLayer.backward before forward") }
        return Pool2D.averageBackward(gradient, inputShape: inputShape, kernel: kernel, stride: stride, padding: padding)
    }
}

/// Square average pooling over each (H, W) plane (PyTorch's AvgPool2d, padding counted in the
/// divisor); the stride defaults to the kernel.
public final class AvgPool2DLayer: Layer {
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let backend: any Backend
    private var inputShape: [Int]?

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, backend: any Backend = CPUBackend.shared) {
        (self.kernel, self.stride, self.padding, self.backend) = (kernel, stride ?? kernel, padding, backend)
    }

    public var parameters: [Parameter] { [] }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return backend.averagePool(input, kernel: kernel, stride: stride, padding: padding)
    }

    // dy is (N, C, OH, OW), dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("AvgPool2DLayer.backward before forward") }
        return backend.averagePoolBackward(gradient, inputShape: inputShape, kernel: kernel, stride: stride, padding: padding)
    }
}

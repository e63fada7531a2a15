/// Square max pooling over each (H, W) plane (PyTorch's MaxPool2d); the stride defaults to the
/// kernel, so windows tile the plane.
public final class MaxPool2DLayer: Layer {
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    public let backend: any Backend
    private var inputShape: [Int]?
    private var argmax: PoolIndices?

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, backend: any Backend = CPUBackend.shared) {
        (self.kernel, self.stride, self.padding, self.backend) = (kernel, stride ?? kernel, padding, backend)
    }

    public var parameters: [Parameter] { [] }

    // x is (N, C, H, W), y is (N, C, OH, OW)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard training else {
            (inputShape, argmax) = (nil, nil)
            return backend.maxPoolOutput(input, kernel: kernel, stride: stride, padding: padding)
        }
        let (output, argmax) = backend.maxPool(input, kernel: kernel, stride: stride, padding: padding)
        (inputShape, self.argmax) = (input.shape, argmax)
        return output
    }

    // dy is (N, C, OH, OW), dx is (N, C, H, W) with each gradient at its window's maximum
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputShape, let argmax else { preconditionFailure("MaxPool2DLayer.backward before forward") }
        return backend.maxPoolBackward(gradient, argmax: argmax, inputShape: inputShape, kernel: kernel, stride: stride,
                                       padding: padding)
    }
}

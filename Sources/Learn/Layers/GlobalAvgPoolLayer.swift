/// The mean of each (H, W) plane (PyTorch's AdaptiveAvgPool2d(1) then flatten): joins a
/// convolutional trunk of any image size to a Linear classifier.
public final class GlobalAvgPoolLayer: Layer {
    public let backend: any Backend
    private var inputShape: [Int]?

    public init(backend: any Backend = CPUBackend.shared) {
        self.backend = backend
    }

    public var parameters: [Parameter] { [] }

    // x is (N, C, H, W), y is (N, C)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        return backend.globalAveragePool(input)
    }

    // dy is (N, C), dx is (N, C, H, W)
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("GlobalAvgPoolLayer.backward before forward") }
        return backend.globalAveragePoolBackward(gradient, inputShape: inputShape)
    }
}

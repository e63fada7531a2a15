/// (N, d1, d2, …) → (N, d1·d2·…): joins a convolutional trunk to Linear layers. The storage is
/// already row-major, so both directions are only a reshape.
public final class Flatten: Layer {
    private var inputShape: [Int]?

    public init() {}

    public var parameters: [Parameter] { [] }

    // x is (N, …), y is (N, product of the rest)
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(input.rank >= 1, "Flatten needs a batch dimension")
        inputShape = input.shape
        return input.reshaped([input.shape[0], input.shape.dropFirst().reduce(1, *)])
    }

    // dy is (N, product of the rest), dx is x's shape
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let inputShape else { preconditionFailure("Flatten.backward before forward") }
        return gradient.reshaped(inputShape)
    }
}

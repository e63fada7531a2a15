/// Zeroes each value with probability p while training and scales the survivors by 1 / (1 − p)
/// (inverted dropout), so the expected output equals the input and evaluation is the identity.
public final class Dropout: Layer {
    public let probability: Float
    /// Its own stream, so masks do not depend on how many draws other layers made; public so a
    /// checkpoint can save and restore it.
    public var random: Random
    /// The scale kept per value in the last training forward (0 or 1 / (1 − p)); nil after an
    /// evaluation forward, when backward passes the gradient through.
    private var mask: [Float]?
    public let backend: any Backend

    public init(probability: Float, random: Random, backend: any Backend = CPUBackend.shared) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1), got \(probability)")
        self.probability = probability
        self.random = random
        self.backend = backend
    }

    public var parameters: [Parameter] { [] }

    // x is any shape, y has the same shape
    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard training else {
            mask = nil
            return input
        }
        let scale = 1 / (1 - probability)
        let mask = (0..<input.count).map { _ in random.uniform() < probability ? 0 : scale }
        self.mask = mask
        return backend.multiply(input, by: mask)
    }

    // dy has x's shape; dx = dy · mask, the same mask forward drew
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let mask else { return gradient }
        precondition(gradient.count == mask.count, "Dropout.backward got \(gradient.shape) after a forward of \(mask.count) values")
        return backend.multiply(gradient, by: mask)
    }
}

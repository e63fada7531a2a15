/// Zeroes each value with probability p while training and scales the survivors by 1 / (1 − p)
/// (inverted dropout), so the expected output equals the input and evaluation is the identity.
public final class Dropout: Layer {
    public let probability: Float
    /// Its own stream, so masks do not depend on how many draws other layers made; public so a
    /// checkpoint can save and restore it. Each training forward draws one seed for its mask.
    public var random: Random
    /// The last training forward's mask seed; nil after an evaluation forward, when backward passes
    /// the gradient through.
    private var seed: UInt64?
    public let backend: any Backend
    /// How many samples of the batch come before this model's: nonzero when the model is one replica of a
    /// data-parallel step and computes a later slice of the batch, whose mask continues the whole
    /// batch's (the draws of its values, not of the values before them).
    public var sampleOffset = 0

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
            seed = nil
            return input
        }
        let batchSeed = random.next()
        let perSample = input.rank > 0 && input.shape[0] > 0 ? input.count / input.shape[0] : 0
        let seed = DropoutMask.seed(batchSeed, skipping: sampleOffset * perSample)
        self.seed = seed
        return backend.dropout(input, probability: probability, seed: seed)
    }

    // dy has x's shape; dx = dy · mask, the same mask forward drew
    public func backward(_ gradient: Tensor) -> Tensor {
        guard let seed else { return gradient }
        return backend.dropoutBackward(gradient, probability: probability, seed: seed)
    }
}

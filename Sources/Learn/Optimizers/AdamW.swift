import Foundation

/// Adam with decoupled weight decay (Loshchilov & Hutter), the algorithm of torch.optim.AdamW as
/// its documentation writes it (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html):
///
///     θ ← θ − γ·λ·θ                 (decay applied to the weights, not added to the gradient)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
///     θ ← θ − γ·m̂ / (√v̂ + ε)
///
/// The arithmetic follows torch's implementation order (lerp for m, √v / √(1 − β₂ᵗ) + ε for the
/// denominator, bias corrections in double precision) so float results track torch's closely.
/// The update runs on the parameters' backend; the moments live beside them.
public final class AdamW: Optimizer {
    /// A step's constants, worked out once on the host for every parameter.
    public struct Constants: Sendable {
        /// 1 − γ·λ
        public var decay: Float
        /// γ / (1 − β₁ᵗ)
        public var stepSize: Float
        /// √(1 − β₂ᵗ)
        public var correction2Root: Float
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
    }

    public var bufferNames: Set<String> { ["exp_avg", "exp_avg_sq"] }

    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let backend: any Backend
    /// t, shared by all parameters: every step updates every parameter.
    private var stepCount = 0
    private var firstMoments: [Tensor] = []
    private var secondMoments: [Tensor] = []

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01,
                backend: any Backend = CPUBackend.shared) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0,
                     "AdamW needs non-negative learning rate, epsilon and weight decay")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW betas must lie in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.backend = backend
    }

    public func savedState() throws -> OptimizerState {
        guard !firstMoments.isEmpty else { return OptimizerState(step: stepCount) }
        return OptimizerState(step: stepCount, buffers: ["exp_avg": try firstMoments.map { try $0.hostValues() },
                                                         "exp_avg_sq": try secondMoments.map { try $0.hostValues() }])
    }

    public func restore(_ state: OptimizerState) {
        state.precondition(onlyBuffers: bufferNames, for: "AdamW")
        let first = state.buffer("exp_avg"), second = state.buffer("exp_avg_sq")
        precondition(first.count == second.count, "AdamW state has \(first.count) exp_avg and \(second.count) exp_avg_sq buffers")
        stepCount = state.step
        firstMoments = first.map { backend.upload(Tensor(shape: [$0.count], storage: $0)) }
        secondMoments = second.map { backend.upload(Tensor(shape: [$0.count], storage: $0)) }
    }

    public func step(_ parameters: [Parameter]) {
        if firstMoments.isEmpty {
            firstMoments = parameters.map { backend.zeros($0.value.shape) }
            secondMoments = parameters.map { backend.zeros($0.value.shape) }
        }
        precondition(firstMoments.count == parameters.count,
                     "AdamW has moments for \(firstMoments.count) parameters, got \(parameters.count)")
        stepCount += 1
        let t = Double(stepCount)
        for (index, parameter) in parameters.enumerated() where parameter.learningRateScale != 0 {
            let lr = Double(learningRate) * Double(parameter.learningRateScale)
            let constants = Constants(
                decay: Float(1 - lr * Double(weightDecay)),
                stepSize: Float(lr / (1 - pow(Double(beta1), t))),
                correction2Root: Float((1 - pow(Double(beta2), t)).squareRoot()),
                beta1: beta1, beta2: beta2, epsilon: epsilon)
            let count = parameter.value.count
            precondition(firstMoments[index].count == count && secondMoments[index].count == count,
                         "\(parameter.name): moment buffers do not match its \(count) values")
            backend.adamWUpdate(parameter, firstMoment: &firstMoments[index], secondMoment: &secondMoments[index],
                                constants: constants)
        }
    }

    /// The per-element loop on host memory.
    static func update(_ parameter: Parameter, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                       _ s: Constants) {
        let count = parameter.value.count
        let blend1 = 1 - s.beta1, blend2 = 1 - s.beta2
        parameter.gradient.storage.withUnsafeBufferPointer { gradient in
            parameter.value.storage.withUnsafeMutableBufferPointer { value in
                guard let g = gradient.baseAddress, let p = value.baseAddress else { return }
                // Each value's update is independent, so the split over cores changes no result.
                Parallel.forRanges(count, work: count) { range in
                    for i in range {
                        p[i] *= s.decay
                        m[i] += blend1 * (g[i] - m[i])
                        v[i] = v[i] * s.beta2 + blend2 * g[i] * g[i]
                        let denominator = v[i].squareRoot() / s.correction2Root + s.epsilon
                        p[i] -= s.stepSize * (m[i] / denominator)
                    }
                }
            }
        }
    }
}

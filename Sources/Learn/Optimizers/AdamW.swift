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
public final class AdamW: Optimizer {
    public var bufferNames: Set<String> { ["exp_avg", "exp_avg_sq"] }

    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// t, shared by all parameters: every step updates every parameter.
    private var stepCount = 0
    private var firstMoments: [[Float]] = []
    private var secondMoments: [[Float]] = []

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        precondition(learningRate >= 0 && epsilon >= 0 && weightDecay >= 0,
                     "AdamW needs non-negative learning rate, epsilon and weight decay")
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW betas must lie in [0, 1)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public var state: OptimizerState {
        get {
            OptimizerState(step: stepCount, buffers: firstMoments.isEmpty ? [:] : ["exp_avg": firstMoments, "exp_avg_sq": secondMoments])
        }
        set {
            newValue.precondition(onlyBuffers: bufferNames, for: "AdamW")
            let first = newValue.buffer("exp_avg"), second = newValue.buffer("exp_avg_sq")
            precondition(first.count == second.count, "AdamW state has \(first.count) exp_avg and \(second.count) exp_avg_sq buffers")
            stepCount = newValue.step
            firstMoments = first
            secondMoments = second
        }
    }

    public func step(_ parameters: [Parameter]) {
        if firstMoments.isEmpty {
            firstMoments = parameters.map { Array(repeating: 0, count: $0.value.count) }
            secondMoments = firstMoments
        }
        precondition(firstMoments.count == parameters.count,
                     "AdamW has moments for \(firstMoments.count) parameters, got \(parameters.count)")
        stepCount += 1
        let t = Double(stepCount)
        let lr = Double(learningRate)
        let scalars = Scalars(
            decay: Float(1 - lr * Double(weightDecay)),
            stepSize: Float(lr / (1 - pow(Double(beta1), t))),
            correction2Root: Float((1 - pow(Double(beta2), t)).squareRoot()),
            beta1: beta1, beta2: beta2, epsilon: epsilon)
        for (index, parameter) in parameters.enumerated() {
            let count = parameter.value.count
            precondition(parameter.gradient.count == count, "\(parameter.name): gradient and value sizes differ")
            precondition(firstMoments[index].count == count && secondMoments[index].count == count,
                         "\(parameter.name): moment buffers do not match its \(count) values")
            firstMoments[index].withUnsafeMutableBufferPointer { m in
                secondMoments[index].withUnsafeMutableBufferPointer { v in
                    update(parameter, m.baseAddress, v.baseAddress, scalars)
                }
            }
        }
    }

    /// Per-step constants, hoisted out of the per-element loop.
    private struct Scalars {
        var decay, stepSize, correction2Root, beta1, beta2, epsilon: Float
    }

    private func update(_ parameter: Parameter, _ m: UnsafeMutablePointer<Float>?, _ v: UnsafeMutablePointer<Float>?, _ s: Scalars) {
        let count = parameter.value.count
        let blend1 = 1 - s.beta1, blend2 = 1 - s.beta2
        parameter.gradient.storage.withUnsafeBufferPointer { gradient in
            parameter.value.storage.withUnsafeMutableBufferPointer { value in
                guard let g = gradient.baseAddress, let p = value.baseAddress, let m, let v else { return }
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

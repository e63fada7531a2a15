/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
/// decay: the algorithm of torch.optim.SGD as its documentation writes it
/// (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html):
///
///     g ← ∇θ + λ·θ                          (weight decay λ, added to the gradient)
///     b ← g on the first step, else μ·b + (1 − τ)·g    (momentum μ, dampening τ)
///     g ← g + μ·b if Nesterov, else b       (only when μ ≠ 0)
///     θ ← θ − γ·g                           (learning rate γ)
public final class SGD: Optimizer {
    public var bufferNames: Set<String> { ["momentum"] }

    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private var stepCount = 0
    /// b, one per parameter; an empty array means "not started", as torch's `None` buffer does.
    private var momentumBuffers: [[Float]] = []

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0,
                     "SGD needs non-negative learning rate, momentum and weight decay")
        // The same restriction torch makes: Nesterov's look-ahead is only defined this way.
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires momentum > 0 and zero dampening")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public var state: OptimizerState {
        get {
            OptimizerState(step: stepCount, buffers: momentumBuffers.isEmpty ? [:] : ["momentum": momentumBuffers])
        }
        set {
            newValue.precondition(onlyBuffers: bufferNames, for: "SGD")
            stepCount = newValue.step
            momentumBuffers = newValue.buffer("momentum")
        }
    }

    public func step(_ parameters: [Parameter]) {
        if momentum != 0 && momentumBuffers.isEmpty {
            momentumBuffers = Array(repeating: [], count: parameters.count)
        }
        precondition(momentum == 0 || momentumBuffers.count == parameters.count,
                     "SGD has momentum for \(momentumBuffers.count) parameters, got \(parameters.count)")
        for (index, parameter) in parameters.enumerated() {
            precondition(parameter.gradient.count == parameter.value.count, "\(parameter.name): gradient and value sizes differ")
            if momentum == 0 {
                apply(to: parameter, buffer: nil)
            } else {
                if momentumBuffers[index].isEmpty {
                    momentumBuffers[index] = Array(repeating: 0, count: parameter.value.count)
                    update(parameter, buffer: &momentumBuffers[index], fresh: true)
                } else {
                    precondition(momentumBuffers[index].count == parameter.value.count,
                                 "\(parameter.name): momentum buffer has \(momentumBuffers[index].count) values, expected \(parameter.value.count)")
                    update(parameter, buffer: &momentumBuffers[index], fresh: false)
                }
            }
        }
        stepCount += 1
    }

    private func update(_ parameter: Parameter, buffer: inout [Float], fresh: Bool) {
        buffer.withUnsafeMutableBufferPointer { b in
            apply(to: parameter, buffer: b.baseAddress, fresh: fresh)
        }
    }

    /// The per-element loop; `buffer` is nil without momentum, `fresh` on a parameter's first step.
    private func apply(to parameter: Parameter, buffer: UnsafeMutablePointer<Float>?, fresh: Bool = false) {
        let (lr, mu, decay, nesterov) = (learningRate, momentum, weightDecay, nesterov)
        let keep = 1 - dampening
        let count = parameter.value.count
        parameter.gradient.storage.withUnsafeBufferPointer { gradient in
            parameter.value.storage.withUnsafeMutableBufferPointer { value in
                guard let g = gradient.baseAddress, let p = value.baseAddress else { return }
                // Each value's update is independent, so the split over cores changes no result.
                Parallel.forRanges(count, work: count) { range in
                    for i in range {
                        var d = g[i]
                        if decay != 0 { d += decay * p[i] }
                        if let b = buffer {
                            b[i] = fresh ? d : mu * b[i] + keep * d
                            d = nesterov ? d + mu * b[i] : b[i]
                        }
                        p[i] -= lr * d
                    }
                }
            }
        }
    }
}

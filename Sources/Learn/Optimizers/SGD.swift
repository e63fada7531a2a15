/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight
/// decay: the algorithm of torch.optim.SGD as its documentation writes it
/// (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html):
///
///     g ← ∇θ + λ·θ                          (weight decay λ, added to the gradient)
///     b ← g on the first step, else μ·b + (1 − τ)·g    (momentum μ, dampening τ)
///     g ← g + μ·b if Nesterov, else b       (only when μ ≠ 0)
///     θ ← θ − γ·g                           (learning rate γ)
///
/// The update runs on the parameters' backend; the momentum buffers live beside them.
public final class SGD: Optimizer {
    /// What one update needs besides the values.
    public struct Settings: Sendable {
        public var learningRate: Float
        public var momentum: Float
        /// 1 − dampening: the share of the gradient a momentum update takes in.
        public var keep: Float
        public var nesterov: Bool
        public var weightDecay: Float
    }

    public var bufferNames: Set<String> { ["momentum"] }

    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let nesterov: Bool
    public let weightDecay: Float
    public let backend: any Backend
    private var stepCount = 0
    /// b, one per parameter; nil means "not started", as torch's `None` buffer does. Empty until the
    /// first step (or without momentum).
    private var momentumBuffers: [Tensor?] = []

    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                backend: any Backend = CPUBackend.shared) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0,
                     "SGD needs non-negative learning rate, momentum and weight decay")
        // The same restriction torch makes: Nesterov's look-ahead is only defined this way.
        precondition(!nesterov || (momentum > 0 && dampening == 0), "Nesterov momentum requires momentum > 0 and zero dampening")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.backend = backend
    }

    public func savedState() throws -> OptimizerState {
        guard !momentumBuffers.isEmpty else { return OptimizerState(step: stepCount) }
        return OptimizerState(step: stepCount, buffers: ["momentum": try momentumBuffers.map { try $0?.hostValues() ?? [] }])
    }

    public func restore(_ state: OptimizerState) {
        state.precondition(onlyBuffers: bufferNames, for: "SGD")
        stepCount = state.step
        momentumBuffers = state.buffer("momentum").map { values in
            values.isEmpty ? nil : backend.upload(Tensor(shape: [values.count], storage: values))
        }
    }

    public func step(_ parameters: [Parameter]) {
        if momentum != 0 && momentumBuffers.isEmpty {
            momentumBuffers = Array(repeating: nil, count: parameters.count)
        }
        precondition(momentum == 0 || momentumBuffers.count == parameters.count,
                     "SGD has momentum for \(momentumBuffers.count) parameters, got \(parameters.count)")
        var settings = Settings(learningRate: learningRate, momentum: momentum, keep: 1 - dampening, nesterov: nesterov,
                                weightDecay: weightDecay)
        for (index, parameter) in parameters.enumerated() where parameter.learningRateScale != 0 {
            settings.learningRate = learningRate * parameter.learningRateScale
            guard momentum != 0 else {
                var none: Tensor?
                backend.sgdUpdate(parameter, momentum: &none, settings: settings, fresh: false)
                continue
            }
            let fresh = momentumBuffers[index] == nil
            var buffer: Tensor? = momentumBuffers[index] ?? backend.zeros(parameter.value.shape)
            // Taken out of the array, so the update writes a buffer nothing else refers to.
            momentumBuffers[index] = nil
            precondition(buffer!.count == parameter.value.count,
                         "\(parameter.name): momentum buffer has \(buffer!.count) values, expected \(parameter.value.count)")
            backend.sgdUpdate(parameter, momentum: &buffer, settings: settings, fresh: fresh)
            momentumBuffers[index] = buffer
        }
        stepCount += 1
    }

    /// The per-element loop on host memory; `buffer` is nil without momentum, `fresh` on a parameter's first step.
    static func update(_ parameter: Parameter, buffer: UnsafeMutablePointer<Float>?, fresh: Bool, _ settings: Settings) {
        let (lr, mu, decay, nesterov, keep) = (settings.learningRate, settings.momentum, settings.weightDecay,
                                               settings.nesterov, settings.keep)
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

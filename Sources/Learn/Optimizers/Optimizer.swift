/// Everything an optimizer carries between steps, so that a checkpoint can resume training exactly.
public struct OptimizerState: Codable, Sendable, Equatable {
    /// Steps taken so far; AdamW's bias corrections depend on it.
    public var step: Int
    /// Named buffers (for example "momentum", "exp_avg", "exp_avg_sq"), each holding one array per
    /// parameter, in the order the parameters are passed to `step`. Empty until the first step.
    public var buffers: [String: [[Float]]]

    public init(step: Int = 0, buffers: [String: [[Float]]] = [:]) {
        self.step = step
        self.buffers = buffers
    }
}

/// Updates parameter values from their gradients. Gradients are left as they are: the training
/// loop zeroes them, so that it can also accumulate over several batches between steps.
public protocol Optimizer: AnyObject {
    /// Read at every step, so a schedule may change it between steps.
    var learningRate: Float { get set }
    /// One update of every parameter; pass the same parameters in the same order every time.
    func step(_ parameters: [Parameter])
    /// The state so far, on the host (read back from the device for a device backend's buffers).
    func savedState() throws -> OptimizerState
    /// Continues from a saved state, its buffers moved to the optimizer's backend.
    func restore(_ state: OptimizerState)
    /// The buffer names a state may hold, so a checkpoint from another optimizer is refused with an
    /// error before it reaches the state's precondition.
    var bufferNames: Set<String> { get }
}

extension OptimizerState {
    /// The buffer called `name`, or none yet; `step` checks its sizes against the parameters.
    func buffer(_ name: String) -> [[Float]] {
        buffers[name] ?? []
    }

    /// Rejects buffers an optimizer does not know, which would otherwise be silently dropped and
    /// make a resumed run differ from one that never stopped.
    func precondition(onlyBuffers names: Set<String>, for optimizer: String) {
        Swift.precondition(step >= 0, "\(optimizer) state has negative step \(step)")
        let unknown = Set(buffers.keys).subtracting(names)
        Swift.precondition(unknown.isEmpty, "\(optimizer) state has unknown buffers \(unknown.sorted())")
    }
}

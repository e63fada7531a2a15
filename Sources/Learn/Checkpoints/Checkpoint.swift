/// Everything needed to continue a training run exactly where it stopped: parameters, the state
/// of stateful layers, the optimizer's buffers, the position in the data and the random streams.
public struct Checkpoint: Sendable, Equatable {
    /// Keyed by `ParameterNaming.parameterNames`.
    public var parameters: [String: [Float]]
    /// Batch-norm running statistics and dropout streams, keyed by `ParameterNaming.bufferName`.
    public var buffers: [String: [Float]]
    public var optimizer: OptimizerState
    /// The position to resume at: the next batch to train is `batch` of `epoch`.
    public var epoch: Int
    public var batch: Int
    /// Any other training stream (for example the caller's augmentations).
    public var random: Random
    public var metadata: [String: String]

    public init(parameters: [String: [Float]], buffers: [String: [Float]], optimizer: OptimizerState,
                epoch: Int, batch: Int, random: Random, metadata: [String: String]) {
        self.parameters = parameters
        self.buffers = buffers
        self.optimizer = optimizer
        self.epoch = epoch
        self.batch = batch
        self.random = random
        self.metadata = metadata
    }
}

/// Why a checkpoint could not be read, written or restored.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case notACheckpoint(path: String)
    case unsupportedVersion(UInt32)
    case corrupt(String)
    case mismatch(String)
    case io(operation: String, path: String, errno: Int32)

    public var description: String {
        switch self {
        case .notACheckpoint(let path): "\(path) is not a Quarry checkpoint"
        case .unsupportedVersion(let version): "checkpoint version \(version) is not supported"
        case .corrupt(let reason): "corrupt checkpoint: \(reason)"
        case .mismatch(let reason): "checkpoint does not fit the model: \(reason)"
        case .io(let operation, let path, let errno): "\(operation) \(path) failed with errno \(errno)"
        }
    }
}

extension Checkpoint {
    /// A snapshot of the model's parameters and buffers and the optimizer's state, copied so that
    /// further training does not change it; a device model's values are read back, which throws when
    /// the device has failed.
    public init(model: any Layer, optimizer: any Optimizer, epoch: Int, batch: Int, random: Random,
                metadata: [String: String]) throws {
        let names = ParameterNaming.parameterNames(model)
        var parameters: [String: [Float]] = [:]
        for (name, parameter) in zip(names, model.parameters) { parameters[name] = try parameter.value.hostValues() }
        var buffers: [String: [Float]] = [:]
        for (position, layer) in ParameterNaming.statefulLayers(model).enumerated() {
            for buffer in layer.buffers {
                buffers[ParameterNaming.bufferName(layer: position, buffer: buffer.name)] = try buffer.tensor.hostValues()
            }
        }
        self.init(parameters: parameters, buffers: buffers, optimizer: try optimizer.savedState(), epoch: epoch, batch: batch,
                  random: random, metadata: metadata)
    }

    /// Copies everything into `model` and `optimizer`; without an optimizer (an evaluation, an export),
    /// only the model's parameters and buffers, so a device model does not also carry optimizer state.
    /// Checks every name and size first and throws on the first that does not fit, changing nothing then.
    public func restore(into model: any Layer, optimizer: (any Optimizer)?) throws {
        let modelParameters = model.parameters
        let names = ParameterNaming.parameterNames(model)
        for (name, parameter) in zip(names, modelParameters) {
            try Self.check(parameters[name], named: name, count: parameter.value.count, kind: "parameter")
        }
        if let extra = Set(parameters.keys).subtracting(names).sorted().first {
            throw CheckpointError.mismatch("parameter \(extra) is not in the model")
        }

        let layers = ParameterNaming.statefulLayers(model)
        var restored: [[(name: String, tensor: Tensor)]] = []
        var bufferNames: Set<String> = []
        for (position, layer) in layers.enumerated() {
            restored.append(try layer.buffers.map { buffer in
                let name = ParameterNaming.bufferName(layer: position, buffer: buffer.name)
                bufferNames.insert(name)
                let values = try Self.check(buffers[name], named: name, count: buffer.tensor.count, kind: "buffer")
                return (buffer.name, buffer.tensor.replacingValues(values))
            })
        }
        if let extra = Set(buffers.keys).subtracting(bufferNames).sorted().first {
            throw CheckpointError.mismatch("buffer \(extra) is not in the model")
        }
        if let optimizer { try checkOptimizer(modelParameters, accepts: optimizer.bufferNames) }

        for (name, parameter) in zip(names, modelParameters) {
            if let values = parameters[name] { parameter.value = parameter.value.replacingValues(values) }
        }
        for (layer, buffers) in zip(layers, restored) { layer.buffers = buffers }
        optimizer?.restore(self.optimizer)
    }

    @discardableResult
    private static func check(_ values: [Float]?, named name: String, count: Int, kind: String) throws -> [Float] {
        guard let values else { throw CheckpointError.mismatch("\(kind) \(name) is missing from the checkpoint") }
        guard values.count == count else {
            throw CheckpointError.mismatch("\(kind) \(name) has \(values.count) values, the model's has \(count)")
        }
        return values
    }

    /// Each optimizer buffer must hold one array per parameter, sized like it (or empty, as SGD
    /// leaves a parameter's momentum before its first step), since the optimizer only checks by precondition.
    private func checkOptimizer(_ parameters: [Parameter], accepts names: Set<String>) throws {
        guard optimizer.step >= 0 else { throw CheckpointError.mismatch("optimizer step \(optimizer.step)") }
        if let foreign = optimizer.buffers.keys.sorted().first(where: { !names.contains($0) }) {
            throw CheckpointError.mismatch("optimizer buffer \(foreign) belongs to another kind of optimizer")
        }
        for (name, arrays) in optimizer.buffers.sorted(by: { $0.key < $1.key }) {
            guard arrays.count == parameters.count else {
                throw CheckpointError.mismatch("optimizer buffer \(name) has \(arrays.count) arrays for \(parameters.count) parameters")
            }
            for (index, (array, parameter)) in zip(arrays, parameters).enumerated()
            where !array.isEmpty && array.count != parameter.value.count {
                throw CheckpointError.mismatch(
                    "optimizer buffer \(name) of parameter \(index) has \(array.count) values, the model's has \(parameter.value.count)")
            }
        }
    }
}

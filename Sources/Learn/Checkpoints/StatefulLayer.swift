/// A layer holding state that is not a trained parameter but that a resumed run must continue
/// from: batch-norm running statistics, dropout's random stream.
public protocol StatefulLayer: Layer {
    /// Named within the layer, in a fixed order; setting expects the same names and sizes as getting gives.
    var buffers: [(name: String, tensor: Tensor)] { get set }
}

/// A layer built from other layers, so that checkpoints can find the stateful layers inside it.
public protocol ContainerLayer: Layer {
    /// In the order their parameters appear in `parameters`.
    var children: [any Layer] { get }
}

extension BatchNorm2DLayer: StatefulLayer {
    public var buffers: [(name: String, tensor: Tensor)] {
        get { [("runningMean", runningMean), ("runningVariance", runningVariance)] }
        set {
            precondition(newValue.map(\.name) == ["runningMean", "runningVariance"], "BatchNorm2DLayer buffers \(newValue.map(\.name))")
            precondition(newValue.allSatisfy { $0.tensor.shape == [channels] }, "BatchNorm2DLayer(\(channels)) buffer shapes")
            runningMean = newValue[0].tensor
            runningVariance = newValue[1].tensor
        }
    }
}

extension Dropout: StatefulLayer {
    /// The 64-bit stream state as four 16-bit pieces, each exact in a float.
    public var buffers: [(name: String, tensor: Tensor)] {
        get {
            let pieces = (0..<4).map { Float((random.state >> (16 * UInt64($0))) & 0xffff) }
            return [("random", Tensor(shape: [4], storage: pieces))]
        }
        set {
            precondition(newValue.count == 1 && newValue[0].name == "random" && newValue[0].tensor.count == 4,
                         "Dropout buffers \(newValue.map(\.name))")
            var state: UInt64 = 0
            for (index, piece) in newValue[0].tensor.storage.enumerated() {
                guard let bits = UInt64(exactly: piece), bits <= 0xffff else { preconditionFailure("Dropout random piece \(piece)") }
                state |= bits << (16 * UInt64(index))
            }
            // SplitMix64's state is its seed: seeding with a saved state continues that stream.
            random = Random(seed: state)
        }
    }
}

extension Sequential: ContainerLayer {
    public var children: [any Layer] { layers }
}

extension Residual: ContainerLayer {
    public var children: [any Layer] { [inner] }
}

extension BasicBlock: ContainerLayer {
    /// The block's own ReLU is left out: it holds nothing to save.
    public var children: [any Layer] { [main] + (shortcut.map { [$0] } ?? []) }
}

/// Stable names for what a checkpoint saves, derived from the model's structure alone, so that a
/// freshly built model of the same architecture gets the same names.
public enum ParameterNaming {
    /// "position.name" for each of `model.parameters`, position counted in that order (for example "3.weight").
    public static func parameterNames(_ model: any Layer) -> [String] {
        model.parameters.enumerated().map { "\($0.offset).\($0.element.name)" }
    }

    /// Every stateful layer, depth first in the order of the model's definition.
    public static func statefulLayers(_ model: any Layer) -> [any StatefulLayer] {
        var found: [any StatefulLayer] = []
        if let stateful = model as? any StatefulLayer { found.append(stateful) }
        if let container = model as? any ContainerLayer {
            for child in container.children { found += statefulLayers(child) }
        }
        return found
    }

    /// "position.name" for a buffer of the stateful layer at that position (for example "0.runningMean").
    public static func bufferName(layer position: Int, buffer name: String) -> String {
        "\(position).\(name)"
    }
}

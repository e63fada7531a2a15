/// Weights from a PyTorch state dict (or a file of the same tensors) into one of the zoo's networks, and a
/// network's weights out as torchvision's state dict.
public enum PretrainedWeights {
    /// What a load did.
    public struct Report: Sendable, Equatable {
        public let scheme: StateDictLayout.Scheme
        /// Tensors written into the model.
        public let loaded: Int
        /// Whether the file's classifier head fitted the model's and was loaded too; otherwise the head
        /// stays as initialized, new for the model's classes.
        public let headLoaded: Bool
    }

    /// Loads every backbone tensor of `model` from `tensors`, and the classifier's head where the file has
    /// one of the same shapes. The naming scheme is the one that matches most names. Throws, before writing
    /// anything, naming the first tensor of the model that is missing or shaped differently, or the first of
    /// the file that no scheme's network has (a classifier's head is expected where the model has none).
    @discardableResult
    public static func load(_ tensors: NamedTensors, into model: any Layer, backbone: Backbone) throws -> Report {
        let layouts = StateDictLayout.Scheme.allCases.map { StateDictLayout(model: model, backbone: backbone, scheme: $0) }
        let layout = layouts.max { matches($0, tensors) < matches($1, tensors) }!
        let head = layout.slots.filter(\.head)
        let headFits = !head.isEmpty && head.allSatisfy { tensors[$0.name]?.shape == $0.shape }
        for slot in layout.slots where !slot.head {
            guard let entry = tensors[slot.name] else { throw WeightsError.missing(slot.name) }
            guard entry.shape == slot.shape else { throw WeightsError.shape(name: slot.name, expected: slot.shape, found: entry.shape) }
        }
        let known = Set(layout.slots.map(\.name) + layout.counters)
        if let stranger = tensors.entries.first(where: { !known.contains($0.name) && !layout.isClassifierOnly($0.name) }) {
            throw WeightsError.unexpected(stranger.name)
        }
        let written = layout.slots.filter { !$0.head || headFits }
        for slot in written { slot.write(tensors[slot.name]!.values) }
        return Report(scheme: layout.scheme, loaded: written.count, headLoaded: headFits)
    }

    /// The model's tensors named as torchvision names them, in its order, with each batch norm's
    /// `num_batches_tracked` (0): what `load_state_dict` of torchvision's network of the same name takes.
    public static func stateDict(of model: any Layer, backbone: Backbone) throws -> NamedTensors {
        let layout = StateDictLayout(model: model, backbone: backbone, scheme: .torchvision)
        var tensors = NamedTensors()
        var counters = layout.counters.makeIterator()
        for slot in layout.slots {
            try tensors.append(.init(name: slot.name, shape: slot.shape, values: try slot.read()))
            // A batch norm's four tensors end with its running variance; its counter follows, as in torchvision.
            if slot.name.hasSuffix(".running_var"), let counter = counters.next() {
                try tensors.append(.init(name: counter, shape: [], values: [0]))
            }
        }
        return tensors
    }

    /// The zoo network whose backbone `tensors` hold whole, and under which names: what an uploaded file
    /// fits. Nil where no backbone's every tensor is there in its shape.
    public static func identify(_ tensors: NamedTensors) -> (backbone: Backbone, scheme: StateDictLayout.Scheme)? {
        published.first { $0.tensors.allSatisfy { tensors[$0.name]?.shape == $0.shape } }.map { ($0.backbone, $0.scheme) }
    }

    /// The backbone tensors (name and shape) of each zoo network as published, at width 1 with the ImageNet
    /// stem, under each scheme: worked out once, since building the networks to walk them costs more than
    /// reading a small file, and the weights folder's files are identified at every start.
    private static let published: [(backbone: Backbone, scheme: StateDictLayout.Scheme, tensors: [(name: String, shape: [Int])])] =
        Backbone.allCases.flatMap { backbone in
            var random = Random(seed: 0)
            let model: Sequential = switch backbone {
            case .resnet18: ResNet18.make(classes: 1000, inputSize: 224, stem: .imagenet, random: &random)
            case .mobileNetV2: MobileNetV2.make(classes: 1000, inputSize: 224, stem: .imagenet, random: &random)
            }
            return StateDictLayout.Scheme.allCases.map { scheme in
                let layout = StateDictLayout(model: model, backbone: backbone, scheme: scheme)
                return (backbone, scheme, layout.slots.filter { !$0.head }.map { ($0.name, $0.shape) })
            }
        }

    private static func matches(_ layout: StateDictLayout, _ tensors: NamedTensors) -> Int {
        layout.slots.reduce(0) { $0 + (tensors[$1.name] == nil ? 0 : 1) }
    }
}

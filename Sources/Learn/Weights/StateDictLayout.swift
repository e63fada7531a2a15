/// Where each tensor of one of the zoo's networks sits in a PyTorch state dict of the same network: its name
/// as torchvision's or timm's module tree spells it, its shape there, and the parameter or batch-norm buffer
/// it fills. The zoo's ResNet-18 and MobileNetV2 are torchvision's layer for layer (Models/), so the names
/// follow from walking the network: a stem, blocks, and for a classifier the head. A detector's or
/// segmenter's backbone has the same tensors under the same names; its pyramid and head have none.
public struct StateDictLayout {
    /// Whose module names: torchvision's, or timm's (`resnet18` and `mobilenetv2_100`).
    public enum Scheme: String, CaseIterable, Sendable {
        case torchvision, timm
    }

    /// One tensor of the network.
    public struct Slot {
        public let name: String
        /// As PyTorch stores it: a linear layer's weight is (out, in) where the zoo's is (in, out).
        public let shape: [Int]
        /// A classifier's last linear layer, new for another set of classes.
        public let head: Bool
        /// The values in PyTorch's layout, and where they are written back.
        let read: () throws -> [Float]
        let write: ([Float]) -> Void
    }

    public let scheme: Scheme
    public let slots: [Slot]
    /// Batch-norm layers' `num_batches_tracked` counters: torchvision's strict loading wants them, nothing reads them.
    public let counters: [String]
    /// Prefixes of the tensors a classifier's file holds beyond a detector's or segmenter's backbone (the
    /// linear layer, and MobileNetV2's last convolution), which such a backbone leaves unread.
    let classifierPrefixes: [String]
    /// Positions in the model's `parameters` of those a backbone file fills: every parameter of the network
    /// but a classifier's linear layer, a pyramid's and a dense head's.
    public let backboneParameters: [Int]

    public init(model: any Layer, backbone: Backbone, scheme: Scheme) {
        let sequence: [any Layer] = (model as? any PyramidModel)?.pyramid.backbone.layers ?? (model as? Sequential)?.layers ?? [model]
        var namer = Namer(backbone: backbone, scheme: scheme)
        var (slots, counters, backboneIDs) = ([Slot](), [String](), Set<ObjectIdentifier>())
        for layer in sequence {
            for (prefix, leaf, head) in namer.name(layer) {
                slots += Self.slots(of: leaf, prefix: prefix, head: head)
                if leaf is BatchNorm2DLayer { counters.append(prefix + ".num_batches_tracked") }
                if !head { backboneIDs.formUnion(leaf.parameters.map(ObjectIdentifier.init)) }
            }
        }
        (self.scheme, self.slots, self.counters) = (scheme, slots, counters)
        let all = model.parameters
        backboneParameters = all.indices.filter { backboneIDs.contains(ObjectIdentifier(all[$0])) }
        classifierPrefixes = switch (backbone, scheme) {
        case (.resnet18, _): ["fc."]
        case (.mobileNetV2, .torchvision): ["features.18.", "classifier."]
        case (.mobileNetV2, .timm): ["conv_head.", "bn2.", "classifier."]
        }
    }

    /// Whether `name` is a tensor only a classifier has under this scheme.
    func isClassifierOnly(_ name: String) -> Bool { classifierPrefixes.contains { name.hasPrefix($0) } }

    private static func slots(of leaf: any Layer, prefix: String, head: Bool) -> [Slot] {
        func parameter(_ name: String, _ parameter: Parameter) -> Slot {
            Slot(name: "\(prefix).\(name)", shape: parameter.value.shape, head: head, read: { try parameter.value.hostValues() },
                 write: { parameter.value = parameter.value.replacingValues($0) })
        }
        switch leaf {
        case let convolution as Conv2DLayer:
            return [parameter("weight", convolution.weight)] + (convolution.bias.map { [parameter("bias", $0)] } ?? [])
        case let norm as BatchNorm2DLayer:
            func buffer(_ name: String, _ index: Int) -> Slot {
                Slot(name: "\(prefix).\(name)", shape: [norm.channels], head: head, read: { try norm.buffers[index].tensor.hostValues() },
                     write: { values in norm.buffers[index].tensor = norm.buffers[index].tensor.replacingValues(values) })
            }
            return [parameter("weight", norm.gamma), parameter("bias", norm.beta), buffer("running_mean", 0), buffer("running_var", 1)]
        case let linear as Linear:
            // PyTorch's (out, in) is the transpose of the zoo's (in, out).
            let (inputs, outputs) = (linear.inputSize, linear.outputSize)
            let weight = Slot(name: "\(prefix).weight", shape: [outputs, inputs], head: head,
                              read: { Self.transpose(try linear.weight.value.hostValues(), rows: inputs, columns: outputs) },
                              write: { linear.weight.value = linear.weight.value.replacingValues(Self.transpose($0, rows: outputs, columns: inputs)) })
            return [weight, parameter("bias", linear.bias)]
        default:
            return []
        }
    }

    private static func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        (0..<rows * columns).map { values[($0 % rows) * columns + $0 / rows] }
    }
}

/// Names a network's layers one top-level layer at a time, counting blocks as it goes.
private struct Namer {
    let backbone: Backbone
    let scheme: StateDictLayout.Scheme
    private var blocks = 0

    init(backbone: Backbone, scheme: StateDictLayout.Scheme) { (self.backbone, self.scheme) = (backbone, scheme) }

    /// (state-dict prefix, leaf layer, whether it is the classifier's linear head) for each convolution, batch norm and
    /// linear layer inside `layer`.
    mutating func name(_ layer: any Layer) -> [(String, any Layer, Bool)] {
        let leaves = Self.leaves(layer)
        guard !leaves.isEmpty else { return [] }
        if layer is Linear {
            return [(backbone == .resnet18 ? "fc" : scheme == .timm ? "classifier" : "classifier.1", layer, true)]
        }
        let isBlock = layer is BasicBlock || layer is Sequential || layer is Residual
        guard isBlock else {
            // A convolution or batch norm outside the blocks: the stem's before them, a classifier's last after.
            let last = blocks > 0
            let name = switch (backbone, scheme, layer is Conv2DLayer) {
            case (.resnet18, _, true): "conv1"
            case (.resnet18, _, false): "bn1"
            case (.mobileNetV2, .torchvision, let convolution): "features.\(last ? blocks + 1 : 0).\(convolution ? 0 : 1)"
            case (.mobileNetV2, .timm, true): last ? "conv_head" : "conv_stem"
            case (.mobileNetV2, .timm, false): last ? "bn2" : "bn1"
            }
            return [(name, layer, false)]
        }
        defer { blocks += 1 }
        let names: [String]
        switch backbone {
        case .resnet18:
            let block = "layer\(blocks / 2 + 1).\(blocks % 2)."
            names = ["conv1", "bn1", "conv2", "bn2", "downsample.0", "downsample.1"].map { block + $0 }
        case .mobileNetV2:
            let expanded = leaves.count == 6
            switch scheme {
            case .torchvision:
                names = (expanded ? ["conv.0.0", "conv.0.1", "conv.1.0", "conv.1.1", "conv.2", "conv.3"] : ["conv.0.0", "conv.0.1", "conv.1", "conv.2"])
                    .map { "features.\(blocks + 1).\($0)" }
            case .timm:
                // timm groups the seventeen blocks by stage: 1, 2, 3, 4, 3, 3, 1.
                let starts = [0, 1, 3, 6, 10, 13, 16]
                let stage = starts.lastIndex { $0 <= blocks }!
                names = (expanded ? ["conv_pw", "bn1", "conv_dw", "bn2", "conv_pwl", "bn3"] : ["conv_dw", "bn1", "conv_pw", "bn2"])
                    .map { "blocks.\(stage).\(blocks - starts[stage]).\($0)" }
            }
        }
        return zip(names, leaves).map { ($0, $1, false) }
    }

    /// The convolutions, batch norms and linear layers inside `layer`, in the order of its parameters.
    static func leaves(_ layer: any Layer) -> [any Layer] {
        if layer is Conv2DLayer || layer is BatchNorm2DLayer || layer is Linear { return [layer] }
        return (layer as? any ContainerLayer)?.children.flatMap(leaves) ?? []
    }
}

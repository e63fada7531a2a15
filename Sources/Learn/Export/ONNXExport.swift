/// Writes a model of the zoo as an ONNX file that onnxruntime runs to the same outputs as `forward`
/// in evaluation mode. Layers become Conv, BatchNormalization, Relu, Clip (ReLU6), MaxPool,
/// AveragePool, GlobalAveragePool, Flatten, Gemm, Dropout and Add; residual blocks become their two
/// paths and an Add. With `simplify`, each batch norm after a convolution is folded into the
/// convolution's weights and bias, and dropout, a no-op outside training, is left out. A detector also
/// decodes its boxes and suppresses overlaps in the graph (`ONNXExport+Detector.swift`), and a segmenter
/// gives each pixel's class (`ONNXExport+Segmenter.swift`).
public enum ONNXExport {
    public static let opsets = 13...17

    public struct Options: Sendable {
        public var opset = 17
        /// (N, C, H, W); N is the batch size unless `batchName` makes it symbolic.
        public var inputShape: [Int]
        /// The name of the symbolic batch dimension of input and output, so that any batch runs; nil fixes it at N.
        public var batchName: String? = "batch_size"
        public var simplify = false
        /// Kept in the file's `metadata_props`, in this order.
        public var metadata: [(String, String)] = []

        public init(inputShape: [Int]) { self.inputShape = inputShape }
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case opset(Int)
        case inputShape(String)
        case unsupported(String)

        public var description: String {
            switch self {
            case .opset(let opset): "opset_version \(opset) is outside \(ONNXExport.opsets.lowerBound)...\(ONNXExport.opsets.upperBound)"
            case .inputShape(let reason): "input_shape \(reason)"
            case .unsupported(let layer): "a \(layer) layer cannot be exported"
            }
        }
    }

    /// The file's bytes. The input is `input`, the output `output`, both float32; a detector's outputs are
    /// `Detector.outputs`.
    public static func export(_ model: any Layer, options: Options) throws(Failure) -> [UInt8] {
        var (walk, shape) = try build(model, options: options)
        let batch: Int? = options.batchName == nil ? options.inputShape[0] : nil, symbol = options.batchName ?? ""
        let outputs: [ONNXGraph.Value]
        switch model {
        case let detector as FCOS: outputs = walk.detections(detector, head: shape, options: options)
        case let segmenter as Segmenter: outputs = [walk.classes(segmenter, batch: batch, options: options)]
        default:
            walk.graph.nameOutput("output")
            outputs = [.init(name: "output", shape: [batch] + shape.map { $0 }, symbol: symbol)]
        }
        return walk.graph.serialize(opset: options.opset,
                                    input: .init(name: "input", shape: [batch] + options.inputShape.dropFirst().map { $0 }, symbol: symbol),
                                    outputs: outputs, metadata: options.metadata)
    }

    /// Checks that `model` exports with `options` (the opset, and an input shape it can take) without
    /// writing anything.
    public static func validate(_ model: any Layer, options: Options) throws(Failure) {
        _ = try build(model, options: options)
    }

    private static func build(_ model: any Layer, options: Options) throws(Failure) -> (Walk, [Int]) {
        guard opsets.contains(options.opset) else { throw .opset(options.opset) }
        guard options.inputShape.count == 4, options.inputShape.allSatisfy({ $0 > 0 }) else {
            throw .inputShape("must be four positive sizes, (N, C, H, W)")
        }
        var walk = Walk(simplify: options.simplify)
        let (output, shape) = try walk.layer(model, "input", Array(options.inputShape.dropFirst()))
        guard output != "input" else { throw .unsupported("model without layers") }
        return (walk, shape)
    }

    /// Layer by layer, keeping the shape of one sample ((C, H, W), then (features)) to refuse an
    /// input the model cannot take before anything is written.
    struct Walk {
        let simplify: Bool
        var graph = ONNXGraph()
        private var constants: [Float: String] = [:]

        init(simplify: Bool) { self.simplify = simplify }

        mutating func layer(_ layer: any Layer, _ input: String, _ shape: [Int]) throws(Failure) -> (String, [Int]) {
            switch layer {
            case let sequence as Sequential: return try sequential(sequence.layers, input, shape)
            case let residual as Residual:
                let (inner, innerShape) = try self.layer(residual.inner, input, shape)
                return (graph.add("Add", [inner, input]), innerShape)
            case let block as BasicBlock:
                let (main, mainShape) = try self.layer(block.main, input, shape)
                let skip = try block.shortcut.map { shortcut throws(Failure) in try self.layer(shortcut, input, shape).0 } ?? input
                return (graph.add("Relu", [graph.add("Add", [main, skip])]), mainShape)
            case let convolution as Conv2DLayer: return try self.convolution(convolution, then: nil, input, shape)
            case let norm as BatchNorm2DLayer:
                try expect(shape.count == 3 && shape[0] == norm.channels, "a batch norm of \(norm.channels) channels gets \(shape)")
                let inputs = [input, graph.weight("bn.scale", shape: [norm.channels], norm.gamma.value.storage),
                              graph.weight("bn.bias", shape: [norm.channels], norm.beta.value.storage),
                              graph.weight("bn.mean", shape: [norm.channels], norm.runningMean.storage),
                              graph.weight("bn.var", shape: [norm.channels], norm.runningVariance.storage)]
                return (graph.add("BatchNormalization", inputs, [.float("epsilon", norm.epsilon), .float("momentum", 1 - norm.momentum)]), shape)
            case let activation as ActivationLayer:
                switch activation.kind {
                case .relu: return (graph.add("Relu", [input]), shape)
                case .relu6: return (graph.add("Clip", [input, constant(0), constant(6)]), shape)
                }
            case let pool as MaxPool2DLayer:
                return try self.pool("MaxPool", input, shape, kernel: pool.kernel, stride: pool.stride, padding: pool.padding, extra: [])
            case let pool as AvgPool2DLayer:
                // Our average pooling divides by the whole window, padding included.
                return try self.pool("AveragePool", input, shape, kernel: pool.kernel, stride: pool.stride, padding: pool.padding,
                                     extra: [.int("count_include_pad", 1)])
            case is GlobalAvgPoolLayer:
                try expect(shape.count == 3, "global average pooling gets \(shape) rather than an image")
                return (graph.add("Flatten", [graph.add("GlobalAveragePool", [input])], [.int("axis", 1)]), [shape[0]])
            case is Flatten: return (graph.add("Flatten", [input], [.int("axis", 1)]), [shape.reduce(1, *)])
            case let linear as Linear:
                try expect(shape == [linear.inputSize], "a dense layer of \(linear.inputSize) inputs gets \(shape.reduce(1, *))")
                let inputs = [input, graph.weight("fc.weight", shape: [linear.inputSize, linear.outputSize], linear.weight.value.storage),
                              graph.weight("fc.bias", shape: [linear.outputSize], linear.bias.value.storage)]
                return (graph.add("Gemm", inputs), [linear.outputSize])
            case let dropout as Dropout:
                return simplify ? (input, shape) : (graph.add("Dropout", [input, constant(dropout.probability)]), shape)
            case let dense as any PyramidModel:
                let fused = try pyramid(dense.pyramid, input, shape)
                return try self.layer(dense.top, fused.0, fused.1)
            default:
                throw .unsupported(String(describing: type(of: layer)))
            }
        }

        private mutating func sequential(_ layers: [any Layer], _ input: String, _ shape: [Int]) throws(Failure) -> (String, [Int]) {
            var (name, shape, index) = (input, shape, 0)
            while index < layers.count {
                if simplify, let convolution = layers[index] as? Conv2DLayer, index + 1 < layers.count,
                   let norm = layers[index + 1] as? BatchNorm2DLayer {
                    (name, shape) = try self.convolution(convolution, then: norm, name, shape)
                    index += 2
                } else {
                    (name, shape) = try layer(layers[index], name, shape)
                    index += 1
                }
            }
            return (name, shape)
        }

        /// A Conv node, with `norm` folded in (`FusedConvolution.fold`).
        private mutating func convolution(_ layer: Conv2DLayer, then norm: BatchNorm2DLayer?, _ input: String,
                                          _ shape: [Int]) throws(Failure) -> (String, [Int]) {
            try expect(shape.count == 3 && shape[0] == layer.inChannels, "a convolution of \(layer.inChannels) channels gets \(shape)")
            let side = { (size: Int) in (size + 2 * layer.padding - layer.kernel) / layer.stride + 1 }
            try expect(shape[1] + 2 * layer.padding >= layer.kernel && shape[2] + 2 * layer.padding >= layer.kernel,
                       "\(shape) is too small for a \(layer.kernel)×\(layer.kernel) kernel")
            var weights = layer.weight.value.storage
            var bias = layer.bias?.value.storage
            if let norm {
                try expect(norm.channels == layer.outChannels, "a batch norm of \(norm.channels) channels follows \(layer.outChannels)")
                bias = FusedConvolution.fold(weights: &weights, bias: bias ?? [Float](repeating: 0, count: layer.outChannels),
                                             gamma: norm.gamma.value.storage, beta: norm.beta.value.storage, mean: norm.runningMean.storage,
                                             variance: norm.runningVariance.storage, epsilon: norm.epsilon)
            }
            var inputs = [input, graph.weight("conv.weight", shape: layer.weight.value.shape, weights)]
            if let bias { inputs.append(graph.weight("conv.bias", shape: [layer.outChannels], bias)) }
            let attributes: [ONNXGraph.Attribute] = [.ints("kernel_shape", [layer.kernel, layer.kernel]), .ints("strides", [layer.stride, layer.stride]),
                                                     .ints("pads", Array(repeating: layer.padding, count: 4)), .ints("dilations", [1, 1]),
                                                     .int("group", layer.groups)]
            return (graph.add("Conv", inputs, attributes), [layer.outChannels, side(shape[1]), side(shape[2])])
        }

        private mutating func pool(_ op: String, _ input: String, _ shape: [Int], kernel: Int, stride: Int, padding: Int,
                                   extra: [ONNXGraph.Attribute]) throws(Failure) -> (String, [Int]) {
            try expect(shape.count == 3 && shape[1] + 2 * padding >= kernel && shape[2] + 2 * padding >= kernel,
                       "\(shape) is too small for a \(kernel)×\(kernel) pooling window")
            let side = { (size: Int) in (size + 2 * padding - kernel) / stride + 1 }
            let attributes: [ONNXGraph.Attribute] = [.ints("kernel_shape", [kernel, kernel]), .ints("strides", [stride, stride]),
                                                     .ints("pads", Array(repeating: padding, count: 4))] + extra
            return (graph.add(op, [input], attributes), [shape[0], side(shape[1]), side(shape[2])])
        }

        /// A scalar float initializer, one per value.
        mutating func constant(_ value: Float) -> String {
            if let name = constants[value] { return name }
            let name = graph.weight("constant", shape: [], [value])
            constants[value] = name
            return name
        }

        func expect(_ condition: Bool, _ reason: String) throws(Failure) {
            if !condition { throw .inputShape("does not fit the model: \(reason)") }
        }
    }
}

import Foundation
@testable import Learn
import Testing

/// ONNX initializers read back: from Quarry's own exporter, from TensorProtos built by hand in every
/// encoding the spec allows, from broken files, and from a file the `onnx` Python package wrote.
struct ONNXInitializersTests {
    typealias Weight = (prefix: String, shape: [Int], values: [Float])

    /// The weights `ONNXExport` writes for `layer`, in its order, scalar constants left out: its walk, again.
    static func weights(_ layer: any Layer, simplify: Bool) -> [Weight] {
        switch layer {
        case let sequence as Sequential:
            var (weights, index) = ([Weight](), 0)
            while index < sequence.layers.count {
                if simplify, let convolution = sequence.layers[index] as? Conv2DLayer, index + 1 < sequence.layers.count,
                   let norm = sequence.layers[index + 1] as? BatchNorm2DLayer {
                    weights += Self.convolution(convolution, then: norm)
                    index += 2
                } else {
                    weights += Self.weights(sequence.layers[index], simplify: simplify)
                    index += 1
                }
            }
            return weights
        case let convolution as Conv2DLayer: return Self.convolution(convolution, then: nil)
        case let norm as BatchNorm2DLayer:
            return [("bn.scale", [norm.channels], norm.gamma.value.storage), ("bn.bias", [norm.channels], norm.beta.value.storage),
                    ("bn.mean", [norm.channels], norm.runningMean.storage), ("bn.var", [norm.channels], norm.runningVariance.storage)]
        case let linear as Linear:
            return [("fc.weight", [linear.inputSize, linear.outputSize], linear.weight.value.storage),
                    ("fc.bias", [linear.outputSize], linear.bias.value.storage)]
        case let container as any ContainerLayer: return container.children.flatMap { weights($0, simplify: simplify) }
        default: return []
        }
    }

    static func convolution(_ layer: Conv2DLayer, then norm: BatchNorm2DLayer?) -> [Weight] {
        var weights = layer.weight.value.storage
        var bias = layer.bias?.value.storage
        if let norm {
            bias = FusedConvolution.fold(weights: &weights, bias: bias ?? [Float](repeating: 0, count: layer.outChannels),
                                         gamma: norm.gamma.value.storage, beta: norm.beta.value.storage, mean: norm.runningMean.storage,
                                         variance: norm.runningVariance.storage, epsilon: norm.epsilon)
        }
        return [("conv.weight", layer.weight.value.shape, weights)] + (bias.map { [("conv.bias", [layer.outChannels], $0)] } ?? [])
    }

    @Test(arguments: [false, true]) func exportedModelsReadBackAsTheirWeights(simplify: Bool) throws {
        var random = Random(seed: 3)
        let models = [(SmallCNN.make(classes: 3, inputSize: 8, random: &random), 8),
                      (ResNet18.make(classes: 4, inputSize: 32, width: 0.25, stem: .cifar, random: &random), 32)]
        for (model, side) in models {
            ONNXExportTests.perturb(model, &random)
            var options = ONNXExport.Options(inputShape: [1, 3, side, side])
            options.simplify = simplify
            let tensors = try ONNXInitializers.read(try ONNXExport.export(model, options: options))
            // The exporter numbers every initializer by its place in the file.
            #expect(tensors.entries.enumerated().allSatisfy { $0.element.name.hasSuffix("_\($0.offset)") })
            let constants = tensors.entries.filter { $0.name.hasPrefix("constant_") }
            #expect(constants.allSatisfy { $0.shape == [] && $0.values.count == 1 })
            // SmallCNN's dropout is its one constant, left out by `simplify`.
            #expect(constants.map(\.values) == (simplify || side == 32 ? [] : [[0.25]]))
            let read = tensors.entries.filter { !$0.name.hasPrefix("constant_") }
            let expected = Self.weights(model, simplify: simplify)
            #expect(read.count == expected.count)
            #expect(read.count > (side == 8 ? 5 : 40))
            for (entry, weight) in zip(read, expected) {
                #expect(entry.name.hasPrefix(weight.prefix + "_"), "\(entry.name) where \(weight.prefix) was written")
                #expect(entry.shape == weight.shape, "\(entry.name)")
                // A Bool, so that a failure does not print a hundred thousand values.
                let same = entry.values == weight.values
                #expect(same, "\(entry.name)")
            }
        }
    }

    // MARK: Hand-built files

    /// A ModelProto whose graph holds these TensorProtos, and nothing else.
    static func model(_ tensors: [[UInt8]]) -> [UInt8] {
        var model = Protobuf()
        model.message(7) { graph in for tensor in tensors { graph.bytes(5, tensor) } }
        return model.bytes
    }

    func tensor(_ build: (inout Protobuf) -> Void) -> [UInt8] {
        var tensor = Protobuf()
        build(&tensor)
        return tensor.bytes
    }

    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { withUnsafeBytes(of: $0.littleEndian) { Array($0) } }
    }

    static func error(_ bytes: [UInt8]) -> WeightsError? {
        do throws(WeightsError) {
            _ = try ONNXInitializers.read(bytes)
            return nil
        } catch {
            return error
        }
    }

    /// Why `bytes` are malformed, or nil where they are read or refused for another reason.
    static func malformed(_ bytes: [UInt8]) -> String? {
        if case .malformed(let reason) = error(bytes) { reason } else { nil }
    }

    @Test func everyEncodingTheSpecAllowsIsRead() throws {
        let floats: [Float] = [0.5, -1.25, 3, 1e-3, -7.5, 65504]
        let halves: [Float16] = [0.25, -3.5, 1000, 6.1e-5]
        let tensors = [
            tensor { $0.integers(1, [2, 3]); $0.integer(2, 1); $0.string(8, "raw"); $0.bytes(9, Self.littleEndian(floats.map(\.bitPattern))) },
            // Fields in an unusual order, dims unpacked.
            tensor { t in
                t.string(8, "packed"); t.bytes(4, Self.littleEndian(floats.map(\.bitPattern))); t.integer(1, 3); t.integer(1, 2); t.integer(2, 1)
            },
            tensor { t in t.integers(1, [6]); t.integer(2, 1); t.string(8, "unpacked"); for value in floats { t.float(4, value) } },
            tensor { $0.integers(1, [2]); $0.integer(2, 11); $0.string(8, "double"); $0.bytes(10, Self.littleEndian([0.1, -2.5].map(\.bitPattern))) },
            // An unpacked double is a fixed64 field: tag 10 << 3 | 1.
            tensor { $0.integers(1, [1]); $0.integer(2, 11); $0.string(8, "fixed64") } + [0x51] + Self.littleEndian([(-0.125).bitPattern]),
            tensor { $0.integers(1, [3]); $0.integer(2, 7); $0.string(8, "int64"); $0.integers(7, [-3, 0, 1 << 40]) },
            tensor { t in t.integers(1, [2]); t.integer(2, 7); t.string(8, "int64.unpacked"); t.integer(7, -9); t.integer(7, 12) },
            tensor { $0.integers(1, [4]); $0.integer(2, 10); $0.string(8, "half.raw"); $0.bytes(9, Self.littleEndian(halves.map(\.bitPattern))) },
            tensor { $0.integers(1, [4]); $0.integer(2, 10); $0.string(8, "half.int32"); $0.integers(5, halves.map { Int($0.bitPattern) }) },
            tensor { $0.integers(1, [2]); $0.integer(2, 16); $0.string(8, "bfloat16"); $0.integers(5, [0x3F80, 0xC020]) },
            tensor { $0.integers(1, [3]); $0.integer(2, 3); $0.string(8, "int8"); $0.integers(5, [-128, 0, 127]) },
            tensor { $0.integers(1, [3]); $0.integer(2, 9); $0.string(8, "bool"); $0.bytes(9, [1, 0, 1]) },
            tensor { $0.integer(2, 1); $0.string(8, "scalar"); $0.float(4, 42) },
            tensor { $0.integers(1, [0, 4]); $0.integer(2, 1); $0.string(8, "empty") },
        ]
        let read = try ONNXInitializers.read(Self.model(tensors))
        let expected: [(String, [Int], [Float])] = [
            ("raw", [2, 3], floats), ("packed", [3, 2], floats), ("unpacked", [6], floats), ("double", [2], [0.1, -2.5]),
            ("fixed64", [1], [-0.125]), ("int64", [3], [-3, 0, 1_099_511_627_776]), ("int64.unpacked", [2], [-9, 12]),
            ("half.raw", [4], halves.map { Float($0) }), ("half.int32", [4], halves.map { Float($0) }), ("bfloat16", [2], [1, -2.5]),
            ("int8", [3], [-128, 0, 127]), ("bool", [3], [1, 0, 1]), ("scalar", [], [42]), ("empty", [0, 4], []),
        ]
        #expect(read.entries.map(\.name) == expected.map { $0.0 })
        for (name, shape, values) in expected {
            #expect(read[name]?.shape == shape, "\(name)")
            #expect(read[name]?.values == values, "\(name)")
        }
    }

    @Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
        // An unknown varint, fixed64, length-delimited and fixed32 field: numbers 97 to 100.
        let unknown: [UInt8] = [0x88, 0x06, 0x96, 0x01] + [0x91, 0x06] + [UInt8](repeating: 7, count: 8)
            + [0x9A, 0x06, 0x02, 0xAB, 0xCD] + [0xA5, 0x06, 1, 2, 3, 4]
        let weight = tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.string(12, "doc") } + unknown
        var model = Protobuf()
        model.integer(1, 8)
        model.message(7) { graph in graph.string(2, "graph"); graph.bytes(99, unknown); graph.bytes(5, weight + [0x25, 0, 0, 0x80, 0x3F]) }
        let read = try ONNXInitializers.read(unknown + model.bytes + unknown)
        #expect(read.entries == [NamedTensors.Entry(name: "w", shape: [1], values: [1])])
    }

    @Test func varintsTakeTenBytesAtMost() throws {
        let graph = Self.model([tensor { $0.integer(2, 1); $0.string(8, "w"); $0.float(4, 2) }])
        // ir_version of ten bytes: accepted, the bits past the 64th dropped.
        #expect(try ONNXInitializers.read([0x08] + [UInt8](repeating: 0xFF, count: 9) + [0x7F] + graph).count == 1)
        #expect(Self.malformed([0x08] + [UInt8](repeating: 0x80, count: 10) + [0x01] + graph)?.contains("longer than 10 bytes at byte 1") == true)
        #expect(Self.malformed([UInt8](repeating: 0xFF, count: 11))?.contains("longer than 10 bytes at byte 0") == true)
    }

    // MARK: Broken files

    @Test func everyTruncationIsMalformed() throws {
        let bytes = Self.model([
            tensor { $0.integers(1, [2, 2]); $0.integer(2, 1); $0.string(8, "a"); $0.bytes(9, Self.littleEndian([1, 2, 3, 4] as [UInt32])) },
            tensor { t in t.integers(1, [2]); t.integer(2, 1); t.string(8, "b"); t.float(4, 1); t.float(4, 2) },
            tensor { $0.integers(1, [2]); $0.integer(2, 11); $0.string(8, "c"); $0.bytes(10, Self.littleEndian([1.0, 2.0].map(\.bitPattern))) },
        ])
        #expect(try ONNXInitializers.read(bytes).count == 3)
        // The graph is the file's one field, so every cut short of the end falls inside it.
        for end in 0..<bytes.count {
            #expect(Self.malformed(Array(bytes[..<end])) != nil, "cut at \(end)")
        }
        var random = Random(seed: 1)
        let exported = try ONNXExport.export(SmallCNN.make(classes: 3, inputSize: 8, random: &random),
                                             options: ONNXExport.Options(inputShape: [1, 3, 8, 8]))
        for end in [1, 3, 40, exported.count / 3, exported.count / 2, exported.count - 100, exported.count - 1] {
            #expect(Self.malformed(Array(exported[..<end])) != nil, "cut at \(end) of \(exported.count)")
        }
    }

    /// Any byte changed to any of these values: read or refused, never a crash.
    @Test func corruptedBytesAreReadOrRefused() {
        let bytes = Self.model([tensor { t in t.integers(1, [1, 2]); t.integer(2, 1); t.string(8, "w"); t.float(4, 1); t.float(4, 2) },
                                tensor { $0.integers(1, [2]); $0.integer(2, 7); $0.string(8, "v"); $0.integers(7, [300, -1]) }])
        for index in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x05, 0x7F, 0x80, 0xFF] {
                var corrupted = bytes
                corrupted[index] = value
                _ = Self.error(corrupted)
            }
        }
    }

    @Test func malformedTensorsAreRefusedNamingThem() {
        let cases: [(String, [UInt8])] = [
            ("w", tensor { $0.integers(1, [2, 3]); $0.integer(2, 1); $0.string(8, "w"); $0.bytes(4, [UInt8](repeating: 0, count: 20)) }),
            ("w", tensor { $0.integers(1, [2]); $0.integer(2, 1); $0.string(8, "w"); $0.bytes(9, [0, 0, 0, 0, 0, 0, 0]) }),
            ("w", tensor { $0.integer(2, 1); $0.string(8, "w") }),
            ("w", tensor { $0.integers(1, [-2]); $0.integer(2, 1); $0.string(8, "w") }),
            // Values in a field their type does not use, and in two places at once.
            ("w", tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.integers(7, [1]) }),
            ("w", tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.float(4, 1); $0.bytes(9, [0, 0, 0, 0]) }),
            ("an initializer without a name", tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.float(4, 1) }),
            ("packs 3 bytes", tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.bytes(4, [0, 0, 0]) }),
            ("field 8 is a varint", tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.integer(8, 5); $0.float(4, 1) }),
        ]
        for (named, tensor) in cases {
            let reason = Self.malformed(Self.model([tensor]))
            #expect(reason?.contains(named) == true, "\(named): \(String(describing: Self.error(Self.model([tensor]))))")
        }
        #expect(Self.malformed([]) == "no graph (ModelProto's field 7) in 0 bytes")
        #expect(Self.malformed([0x0E]) == "wire type 6 at byte 0")
        #expect(Self.malformed([0x07, 0x00]) == "field number 0 at byte 0")
        #expect(Self.malformed([0x3A, 0x02, 0x2A, 0x09]) == "a length of 9 where 0 bytes are left at byte 3")
    }

    @Test func unsupportedTensorsAndDuplicatesAreRefused() {
        let plain = tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.float(4, 1) }
        #expect(Self.error(Self.model([plain, plain])) == .duplicated("w"))
        let external = tensor { t in
            t.integers(1, [4]); t.integer(2, 1); t.string(8, "w")
            t.message(13) { $0.string(1, "location"); $0.string(2, "weights.bin") }
            t.integer(14, 1)
        }
        #expect(Self.error(Self.model([external])) == .unsupported("initializer w keeps its data in an external file"))
        let located = tensor { $0.integers(1, [4]); $0.integer(2, 1); $0.string(8, "w"); $0.integer(14, 1) }
        #expect(Self.error(Self.model([located])) == .unsupported("initializer w keeps its data in an external file"))
        let huge = tensor { $0.integers(1, [65536, 32769]); $0.integer(2, 1); $0.string(8, "w") }
        #expect(Self.error(Self.model([huge])) == .unsupported("initializer w of shape [65536, 32769] holds more than 2147483648 values"))
        let overflowing = tensor { $0.integers(1, [1 << 62, 1 << 62, 0]); $0.integer(2, 1); $0.string(8, "w") }
        #expect(Self.error(Self.model([overflowing]))?.description.contains("holds more than") == true)
        let empty = tensor { $0.integers(1, [0, 1 << 62, 1 << 62]); $0.integer(2, 1); $0.string(8, "w") }
        #expect(Self.error(Self.model([empty])) == nil)
        let strings = tensor { $0.integers(1, [1]); $0.integer(2, 8); $0.string(8, "s"); $0.string(6, "text") }
        #expect(Self.error(Self.model([strings])) == .unsupported("initializer s has data type 8, which is not a number Quarry reads"))
        let segment = tensor { $0.integers(1, [1]); $0.integer(2, 1); $0.string(8, "w"); $0.message(3) { $0.integer(1, 0) } }
        #expect(Self.error(Self.model([segment])) == .unsupported("initializer w is one segment of a larger tensor"))
        var sparse = Protobuf()
        sparse.message(7) { $0.bytes(5, plain); $0.message(15) { $0.bytes(1, plain) } }
        #expect(Self.error(sparse.bytes)?.description.contains("sparse initializers") == true)
        // A group: field 1, wire type 3.
        #expect(Self.error([0x0B, 0x0C]) == .unsupported("a group (wire type 3), which ONNX never writes, at byte 0"))
    }

    // MARK: The onnx package's own files

    /// Written by onnx 1.23.2 (numpy 2.4.6) and passed by `onnx.checker.check_model`: an Add graph whose
    /// initializers are numpy_helper.from_array (raw_data) and helper.make_tensor (typed fields, packed) of
    /// float32, float16, bfloat16, int64, float64, int8, uint8, bool and int32, a scalar and an empty tensor.
    /// The values are numpy_helper.to_array's, as float32.
    static let fromOnnx = """
        CA46+AMKFAoBeAoHZjMyX3JhdxIBeSIDQWRkEgFnKikIAggDEAFCB2YzMl9yYXdKGAAAAD8AAKC/AABAQG8SgzoAAPDAAOB/RyoiCAIIAhABIhAAAMA/AAAAwM3M\
        zD3K8klxQghmMzJfZGF0YSoXCAQQCkIHZjE2X3Jhd0oIADxUtf8DAGgqGQgDEAoqCIBogIYD0McBQglmMTZfaW50MzIqFwgCEBAqBYB/oIADQgpiZjE2X2ludDMy\
        KjEIAggCEAdCB2k2NF9yYXdKIP3/////////AAAAAAAAAAAHAAAAAAAAAAAAAAAAAQAAKiAIAxAHOhD///////////8BAoCAgIAgQghpNjRfZGF0YSogCAIQC0II\
        ZjY0X2RhdGFSEJqZmZmZmbk/u73X2d98270qHwgCEAtCB2Y2NF9yYXdKEAAAAAAAAARAAAAAAAAAwL8qEBABQgZzY2FsYXJKBAAAKEIqHAgDEAMqDID/////////\
        /wEAf0IIaThfaW50MzIqEAgCEAJCBnU4X3Jhd0oC/wEqEwgDEAlCCGJvb2xfcmF3SgMBAAEqFwgCEAZCB2kzMl9yYXdKCACA//8FAAAAKg8IAAgDEAFCBWVtcHR5\
        SgBaEwoBeBIOCgwIARIICgIIAgoCCANiEwoBeRIOCgwIARIICgIIAgoCCANCBAoAEBE=
        """

    @Test func aFileTheOnnxPackageWroteReadsAsItReadsIt() throws {
        let bytes = try #require(Data(base64Encoded: Self.fromOnnx))
        let read = try ONNXInitializers.read(Array(bytes))
        let expected: [(String, [Int], [Float])] = [
            ("f32_raw", [2, 3], [0.5, -1.25, 3, 0.001, -7.5, 65504]),
            ("f32_data", [2, 2], [1.5, -2, 0.1, 1e30]),
            ("f16_raw", [4], [1, -0.3330078125, 6.097555160522461e-05, 2048]),
            ("f16_int32", [3], [0.25, -3.5, 1000]),
            ("bf16_int32", [2], [1, -2.5]),
            ("i64_raw", [2, 2], [-3, 0, 7, 1_099_511_627_776]),
            ("i64_data", [3], [-1, 2, 8_589_934_592]),
            ("f64_data", [2], [0.1, -1e-10]),
            ("f64_raw", [2], [2.5, -0.125]),
            ("scalar", [], [42]),
            ("i8_int32", [3], [-128, 0, 127]),
            ("u8_raw", [2], [255, 1]),
            ("bool_raw", [3], [1, 0, 1]),
            ("i32_raw", [2], [-32768, 5]),
            ("empty", [0, 3], []),
        ]
        #expect(bytes.count == 515)
        #expect(read.entries.map(\.name) == expected.map { $0.0 })
        for (name, shape, values) in expected {
            #expect(read[name]?.shape == shape, "\(name)")
            #expect(read[name]?.values == values, "\(name)")
        }
    }
}

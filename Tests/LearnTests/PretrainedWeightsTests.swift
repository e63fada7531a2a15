import Foundation
import Testing
@testable import Learn

/// The zoo's networks named as torchvision and timm name theirs, and weights loaded by those names. The
/// fixtures are the state-dict keys and shapes of torchvision 0.28's `resnet18()` and `mobilenet_v2()` and
/// timm's `resnet18` and `mobilenetv2_100`, as PyTorch printed them.
struct PretrainedWeightsTests {
    static func fixture(_ name: String) throws -> [(name: String, shape: [Int])] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).names").path
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let (name, shape) = (line.prefix { $0 != " " }, line.drop { $0 != "[" }.dropFirst().dropLast())
            return (String(name), shape.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! })
        }
    }

    static func classifier(_ backbone: Backbone, classes: Int = 1000, seed: UInt64 = 0) -> Sequential {
        var random = Random(seed: seed)
        return switch backbone {
        case .resnet18: ResNet18.make(classes: classes, inputSize: 224, random: &random)
        case .mobileNetV2: MobileNetV2.make(classes: classes, inputSize: 224, random: &random)
        }
    }

    @Test(arguments: Backbone.allCases, StateDictLayout.Scheme.allCases)
    func namesAndShapesAreThoseOfTheLibrarysNetwork(backbone: Backbone, scheme: StateDictLayout.Scheme) throws {
        let expected = try Self.fixture("\(scheme)-\(backbone)").filter { !$0.name.hasSuffix("num_batches_tracked") }
        let layout = StateDictLayout(model: Self.classifier(backbone), backbone: backbone, scheme: scheme)
        #expect(layout.slots.map(\.name) == expected.map(\.name))
        #expect(layout.slots.map(\.shape) == expected.map(\.shape))
        let counters = try Self.fixture("\(scheme)-\(backbone)").map(\.name).filter { $0.hasSuffix("num_batches_tracked") }
        #expect(layout.counters == counters)
    }

    /// torchvision's `state_dict()` order and contents, `num_batches_tracked` included.
    @Test(arguments: Backbone.allCases)
    func stateDictIsTorchvisions(backbone: Backbone) throws {
        let tensors = try PretrainedWeights.stateDict(of: Self.classifier(backbone), backbone: backbone)
        let expected = try Self.fixture("torchvision-\(backbone)")
        #expect(tensors.entries.map(\.name) == expected.map(\.name))
        #expect(tensors.entries.map(\.shape) == expected.map(\.shape))
    }

    /// A network's state dict loaded into another of different weights gives it the same outputs.
    @Test(arguments: Backbone.allCases)
    func loadingAStateDictGivesTheSameNetwork(backbone: Backbone) throws {
        let (source, target) = (Self.classifier(backbone, classes: 5, seed: 1), Self.classifier(backbone, classes: 5, seed: 2))
        for layer in ParameterNaming.statefulLayers(source) {
            guard let norm = layer as? BatchNorm2DLayer else { continue }
            norm.runningMean = Tensor.normal([norm.channels], seed: 3)
        }
        let report = try PretrainedWeights.load(try PretrainedWeights.stateDict(of: source, backbone: backbone), into: target, backbone: backbone)
        #expect(report == .init(scheme: .torchvision, loaded: StateDictLayout(model: target, backbone: backbone, scheme: .torchvision).slots.count,
                                headLoaded: true))
        let images = Tensor.normal([2, 3, 64, 64], seed: 4)
        #expect(source.forward(images, training: false) == target.forward(images, training: false))
    }

    /// Another number of classes: the backbone loads and the head stays new.
    @Test func aHeadForOtherClassesIsLeftNew() throws {
        let (source, target) = (Self.classifier(.resnet18, classes: 1000, seed: 1), Self.classifier(.resnet18, classes: 3, seed: 2))
        let head = try (target.layers.last as! Linear).weight.value.hostValues()
        let report = try PretrainedWeights.load(try PretrainedWeights.stateDict(of: source, backbone: .resnet18), into: target, backbone: .resnet18)
        #expect(!report.headLoaded)
        #expect(try (target.layers.last as! Linear).weight.value.hostValues() == head)
        #expect(try target.parameters[0].value.hostValues() == source.parameters[0].value.hostValues())
    }

    @Test func filesAreIdentifiedByTheBackboneTheyHoldWhole() throws {
        for backbone in Backbone.allCases {
            let tensors = try PretrainedWeights.stateDict(of: Self.classifier(backbone, classes: 7), backbone: backbone)
            #expect(PretrainedWeights.identify(tensors)! == (backbone, .torchvision))
            var partial = NamedTensors()
            for entry in tensors.entries.dropFirst() { try partial.append(entry) }
            #expect(PretrainedWeights.identify(partial) == nil)
        }
    }

    /// What a backbone file fills: a classifier's parameters but its head's, a detector's backbone's.
    @Test func backboneParametersAreThoseAFileFills() {
        let resnet = Self.classifier(.resnet18, classes: 3)
        #expect(StateDictLayout(model: resnet, backbone: .resnet18, scheme: .torchvision).backboneParameters == Array(resnet.parameters.indices.dropLast(2)))
        let mobile = Self.classifier(.mobileNetV2, classes: 3)
        #expect(StateDictLayout(model: mobile, backbone: .mobileNetV2, scheme: .timm).backboneParameters == Array(mobile.parameters.indices.dropLast(2)))
        var random = Random(seed: 5)
        let detector = FCOS.make(classes: 3, backbone: .resnet18, inputSize: 64, width: 0.25, stem: .imagenet, random: &random)
        let count = detector.pyramid.backbone.layers.flatMap(\.parameters).count
        #expect(StateDictLayout(model: detector, backbone: .resnet18, scheme: .torchvision).backboneParameters == Array(0..<count))
    }

    /// timm's names are recognized by themselves.
    @Test func timmsNamesAreRecognized() throws {
        let source = Self.classifier(.mobileNetV2, classes: 4, seed: 1)
        var renamed = NamedTensors()
        let layout = StateDictLayout(model: source, backbone: .mobileNetV2, scheme: .timm)
        for slot in layout.slots { try renamed.append(.init(name: slot.name, shape: slot.shape, values: try slot.read())) }
        let target = Self.classifier(.mobileNetV2, classes: 4, seed: 2)
        #expect(try PretrainedWeights.load(renamed, into: target, backbone: .mobileNetV2).scheme == .timm)
        #expect(try target.parameters.map { try $0.value.hostValues() } == source.parameters.map { try $0.value.hostValues() })
    }

    /// A detector's backbone takes an ImageNet classifier's file, its head unread.
    @Test func aDetectorsBackboneLoadsAClassifiersFile() throws {
        var random = Random(seed: 5)
        let detector = FCOS.make(classes: 3, backbone: .resnet18, inputSize: 64, width: 0.25, stem: .imagenet, random: &random)
        let classifier: Sequential = {
            var random = Random(seed: 6)
            return ResNet18.make(classes: 1000, inputSize: 64, width: 0.25, stem: .imagenet, random: &random)
        }()
        let report = try PretrainedWeights.load(try PretrainedWeights.stateDict(of: classifier, backbone: .resnet18), into: detector,
                                                backbone: .resnet18)
        #expect(!report.headLoaded)
        let backbone = detector.pyramid.backbone.layers.flatMap(\.parameters)
        #expect(try backbone.map { try $0.value.hostValues() } == classifier.parameters.dropLast(2).map { try $0.value.hostValues() })
    }

    @Test func mismatchesNameTheFirstTensor() throws {
        let model = Self.classifier(.resnet18, classes: 10)
        let full = try PretrainedWeights.stateDict(of: model, backbone: .resnet18)
        func without(_ name: String) throws -> NamedTensors {
            var tensors = NamedTensors()
            for entry in full.entries where entry.name != name { try tensors.append(entry) }
            return tensors
        }
        #expect(throws: WeightsError.missing("layer2.0.bn1.running_var")) {
            try PretrainedWeights.load(try without("layer2.0.bn1.running_var"), into: model, backbone: .resnet18)
        }
        var extra = full
        try extra.append(.init(name: "layer5.0.conv1.weight", shape: [1], values: [0]))
        #expect(throws: WeightsError.unexpected("layer5.0.conv1.weight")) { try PretrainedWeights.load(extra, into: model, backbone: .resnet18) }
        var reshaped = try without("layer1.1.conv2.weight")
        try reshaped.append(.init(name: "layer1.1.conv2.weight", shape: [64, 64, 1, 9], values: [Float](repeating: 0, count: 64 * 64 * 9)))
        #expect(throws: WeightsError.shape(name: "layer1.1.conv2.weight", expected: [64, 64, 3, 3], found: [64, 64, 1, 9])) {
            try PretrainedWeights.load(reshaped, into: model, backbone: .resnet18)
        }
        // Nothing was written by the refused loads.
        #expect(try model.parameters.map { try $0.value.hostValues() } == Self.classifier(.resnet18, classes: 10).parameters.map { try $0.value.hostValues() })
    }
}

import Learn
import Testing

/// Shapes, parameter counts and gradients of the model zoo; widths are tiny except where a count
/// is compared with torchvision's, which needs only construction.
struct ModelTests {
    static func images(_ batch: Int, _ side: Int, channels: Int = 3, seed: UInt64) -> Tensor {
        Tensor.normal([batch, channels, side, side], seed: seed)
    }

    @Test(arguments: [8, 16, 32])
    func smallCNNShape(side: Int) {
        var random = Random(seed: 1)
        let model = SmallCNN.make(classes: 10, inputSize: side, channels: 1, random: &random)
        #expect(model.forward(Self.images(2, side, channels: 1, seed: 2), training: true).shape == [2, 10])
        #expect(model.forward(Self.images(2, side, channels: 1, seed: 3), training: false).shape == [2, 10])
    }

    @Test func smallCNNParameterCount() {
        var random = Random(seed: 1)
        // Convolutions 3·9·32 + 32·9·64 + 64·9·128, batch norms 2·(32 + 64 + 128), linear 128·10 + 10.
        let model = SmallCNN.make(classes: 10, inputSize: 8, random: &random)
        #expect(Models.parameterCount(model) == 864 + 18_432 + 73_728 + 448 + 1_290)
    }

    @Test(arguments: [8, 32, 128])
    func resNet18Shape(side: Int) {
        var random = Random(seed: 4)
        let model = ResNet18.make(classes: 5, inputSize: side, width: 0.0625, random: &random)
        #expect(model.forward(Self.images(2, side, seed: 5), training: true).shape == [2, 5])
    }

    @Test func resNet18StemFollowsTheInputSize() {
        var random = Random(seed: 6)
        let small = ResNet18.make(classes: 3, inputSize: 127, width: 0.0625, random: &random)
        let large = ResNet18.make(classes: 3, inputSize: 128, width: 0.0625, random: &random)
        #expect((small.layers[0] as? Conv2DLayer).map { [$0.kernel, $0.stride] } == [3, 1])
        #expect(!small.layers.contains { $0 is MaxPool2DLayer })
        #expect((large.layers[0] as? Conv2DLayer).map { [$0.kernel, $0.stride] } == [7, 2])
        #expect(large.layers[3] is MaxPool2DLayer)
        #expect(small.layers.filter { $0 is BasicBlock }.count == 8)
    }

    @Test func anExplicitStemOverridesTheInputSizeRule() {
        var random = Random(seed: 6)
        let resnet = ResNet18.make(classes: 3, inputSize: 64, width: 0.0625, stem: .imagenet, random: &random)
        #expect((resnet.layers[0] as? Conv2DLayer).map { [$0.kernel, $0.stride] } == [7, 2])
        #expect(resnet.forward(Self.images(2, 64, seed: 5), training: true).shape == [2, 3])
        let mobile = MobileNetV2.make(classes: 3, inputSize: 224, width: 0.25, stem: .cifar, random: &random)
        #expect((mobile.layers[0] as? Conv2DLayer)?.stride == 1)
    }

    /// Training skips the stem's input gradient; the parameter gradients must not change for it.
    @Test func accumulatingGradientsMatchesAFullBackward() {
        var random = Random(seed: 11)
        let full = ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .imagenet, random: &random)
        random = Random(seed: 11)
        let skipping = ResNet18.make(classes: 3, inputSize: 16, width: 0.0625, stem: .imagenet, random: &random)
        let images = Self.images(2, 16, seed: 12)
        let gradient = Tensor.normal([2, 3], seed: 13)
        _ = full.forward(images, training: true)
        _ = full.backward(gradient)
        _ = skipping.forward(images, training: true)
        skipping.accumulateGradients(gradient)
        for (a, b) in zip(full.parameters, skipping.parameters) { #expect(a.gradient == b.gradient, "\(a.name)") }
    }

    @Test func resNet18MatchesTorchvisionParameterCount() {
        var random = Random(seed: 7)
        let model = ResNet18.make(classes: 1000, inputSize: 224, random: &random)
        #expect(Models.parameterCount(model) == 11_689_512)
    }

    /// Batch norm in evaluation mode, with its running statistics fixed, is a plain affine map: in a
    /// network with channels of 4 and batch statistics over as few as 2 values, training-mode batch
    /// norm amplifies float32 rounding and ε steps past the reach of finite differences. Its
    /// training-mode gradient is checked in `ImageLayerTests` and in the block below.
    @Test func resNet18Gradients() {
        var random = Random(seed: 8)
        let model = ResNet18.make(classes: 3, inputSize: 8, width: 0.0625, random: &random)
        let (failures, kinked) = GradientCheck.sampledFailures(of: EvaluationMode(model), input: Self.images(2, 8, seed: 9),
                                                                coordinates: 50)
        #expect(failures.isEmpty, "\(failures)")
        #expect(kinked <= 10, "\(kinked) of 50 coordinates sat on a kink")
    }

    @Test func basicBlockWithDownsampleGradients() {
        var random = Random(seed: 10)
        let block = BasicBlock(inChannels: 2, outChannels: 4, stride: 2, random: &random)
        #expect(block.shortcut != nil)
        #expect(block.parameters.map(\.name) == ["weight", "gamma", "beta", "weight", "gamma", "beta",
                                                  "weight", "gamma", "beta"])
        let (failures, kinked) = GradientCheck.sampledFailures(of: block, input: Self.images(3, 4, channels: 2, seed: 11),
                                                                coordinates: 100)
        #expect(failures.isEmpty, "\(failures)")
        #expect(kinked <= 20, "\(kinked) of 100 coordinates sat on a kink")
    }

    @Test(arguments: [8, 32, 128])
    func mobileNetV2Shape(side: Int) {
        var random = Random(seed: 12)
        let model = MobileNetV2.make(classes: 4, inputSize: side, width: 0.25, random: &random)
        #expect(model.forward(Self.images(2, side, seed: 13), training: true).shape == [2, 4])
    }

    @Test func mobileNetV2MatchesTorchvisionParameterCount() {
        var random = Random(seed: 14)
        let model = MobileNetV2.make(classes: 1000, inputSize: 224, random: &random)
        #expect(Models.parameterCount(model) == 3_504_872)
        #expect(model.layers.filter { $0 is Residual }.count == 10)
    }
}

/// Runs its inner layer in evaluation mode whatever it is asked, so a gradient check of a whole
/// model sees batch norm as the affine map inference uses.
final class EvaluationMode: Layer {
    let inner: any Layer

    init(_ inner: any Layer) {
        self.inner = inner
    }

    var parameters: [Parameter] { inner.parameters }

    func forward(_ input: Tensor, training: Bool) -> Tensor {
        inner.forward(input, training: false)
    }

    func backward(_ gradient: Tensor) -> Tensor {
        inner.backward(gradient)
    }
}

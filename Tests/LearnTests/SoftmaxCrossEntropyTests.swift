import Learn
import Testing

/// Presents the loss as a layer with a one-value output, so GradientCheck can probe it.
private final class LossProbe: Layer {
    let loss: SoftmaxCrossEntropy
    let labels: [Int]
    private var gradient: Tensor?

    init(_ loss: SoftmaxCrossEntropy, labels: [Int]) {
        self.loss = loss
        self.labels = labels
    }

    var parameters: [Parameter] { [] }

    func forward(_ input: Tensor, training: Bool) -> Tensor {
        let (value, gradient) = loss(input, labels: labels)
        self.gradient = gradient
        return Tensor(shape: [1], storage: [value])
    }

    func backward(_ gradient: Tensor) -> Tensor {
        var scaled = self.gradient!
        for index in scaled.storage.indices { scaled.storage[index] *= gradient.storage[0] }
        return scaled
    }
}

struct SoftmaxCrossEntropyTests {
    static let logits = Tensor(shape: [2, 3], storage: [1, 2, 3, 1, 1, 1])

    // Row 0: log-sum-exp = 3 + log(1 + e⁻¹ + e⁻²) = 3.4076060, loss 0.4076060; row 1: log 3 = 1.0986123.
    @Test func matchesAHandComputedValue() {
        let (loss, _) = SoftmaxCrossEntropy()(Self.logits, labels: [2, 0])
        #expect(abs(loss - 0.7531091) < 1e-6)
    }

    // ε = 0.3 over 3 classes: row 0's target is (0.1, 0.1, 0.8), Σ t·z = 2.7, loss 3.4076060 − 2.7;
    // row 1's logits are equal, so any target gives log 3.
    @Test func labelSmoothingMatchesAHandComputedValue() {
        let (loss, _) = SoftmaxCrossEntropy(labelSmoothing: 0.3)(Self.logits, labels: [2, 0])
        #expect(abs(loss - 0.9031091) < 1e-6)
    }

    @Test(arguments: [Float(0), 0.1])
    func gradientRowsSumToZero(smoothing: Float) {
        let logits = LayerGradientTests.uniform([4, 5], seed: 12)
        let (_, gradient) = SoftmaxCrossEntropy(labelSmoothing: smoothing)(logits, labels: [0, 4, 2, 2])
        for row in 0..<4 {
            let sum = (0..<5).reduce(Float(0)) { $0 + gradient[[row, $1]] }
            #expect(abs(sum) < 1e-6)
        }
    }

    @Test func largeLogitsStayFinite() {
        let logits = Tensor(shape: [1, 3], storage: [1000, 0, -1000])
        let (loss, gradient) = SoftmaxCrossEntropy()(logits, labels: [1])
        #expect(abs(loss - 1000) < 1e-3)
        #expect(gradient.storage.allSatisfy { $0.isFinite })
    }

    @Test(arguments: [Float(0), 0.1])
    func gradientMatchesFiniteDifferences(smoothing: Float) {
        let probe = LossProbe(SoftmaxCrossEntropy(labelSmoothing: smoothing), labels: [1, 0, 3])
        let failures = GradientCheck.failures(of: probe, input: LayerGradientTests.uniform([3, 4], seed: 13))
        #expect(failures.isEmpty, "\(failures)")
    }
}

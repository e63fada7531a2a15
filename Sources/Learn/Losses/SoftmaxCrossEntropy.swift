import Foundation

/// Softmax followed by cross-entropy against integer class labels, fused because the gradient of
/// the pair is simply softmax − target, which is cheaper and steadier than chaining the two.
public struct SoftmaxCrossEntropy: Sendable {
    /// ε in target = (1 − ε) · onehot + ε / C; 0 is plain cross-entropy.
    public let labelSmoothing: Float

    public init(labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got \(labelSmoothing)")
        self.labelSmoothing = labelSmoothing
    }

    // logits is (N, C), labels is (N) with values in 0..<C, gradient is (N, C)
    /// The mean loss over the rows and dLoss/dLogits of the mean over `batchSize` rows (already divided
    /// by it): N, or the whole batch's size when these rows are one replica's slice of it.
    public func callAsFunction(_ logits: Tensor, labels: [Int], batchSize: Int? = nil) -> (loss: Float, gradient: Tensor) {
        precondition(logits.rank == 2, "SoftmaxCrossEntropy needs (N, C) logits, got \(logits.shape)")
        let (batch, classes) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == batch, "\(labels.count) labels for a batch of \(batch)")
        precondition(batch > 0 && classes > 0, "SoftmaxCrossEntropy needs a non-empty batch and classes")
        let denominator = Double(batchSize ?? batch)
        precondition(denominator >= Double(batch), "a batch of \(batchSize ?? batch) cannot hold \(batch) rows")
        let onTarget = Double(1 - labelSmoothing) + Double(labelSmoothing) / Double(classes)
        let offTarget = Double(labelSmoothing) / Double(classes)
        var gradient = Tensor(zeros: logits.shape)
        var total = 0.0
        for row in 0..<batch {
            let label = labels[row]
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            let base = row * classes
            // Subtracting the row max keeps exp from overflowing; log-sum-exp adds it back.
            var largest = -Double.infinity
            for c in 0..<classes { largest = max(largest, Double(logits.storage[base + c])) }
            var sum = 0.0
            for c in 0..<classes { sum += exp(Double(logits.storage[base + c]) - largest) }
            let logSumExp = largest + log(sum)
            for c in 0..<classes {
                let logit = Double(logits.storage[base + c])
                let target = c == label ? onTarget : offTarget
                // −Σ target · log softmax, with log softmax = logit − logSumExp.
                total += target * (logSumExp - logit)
                gradient.storage[base + c] = Float((exp(logit - logSumExp) - target) / denominator)
            }
        }
        return (Float(total / Double(batch)), gradient)
    }

    /// Arg-max and its softmax probability for each row of (N, C) host logits; ties go to the lower class.
    static func predictions(_ logits: Tensor) -> [Prediction] {
        precondition(logits.rank == 2, "predictions need (N, C) logits, got \(logits.shape)")
        let classes = logits.shape[1]
        return (0..<logits.shape[0]).map { row in
            let values = logits.storage[row * classes..<(row + 1) * classes]
            var best = values.startIndex
            for index in values.indices where values[index] > values[best] { best = index }
            let sum = values.reduce(0.0) { $0 + exp(Double($1 - values[best])) }
            return (best - values.startIndex, Float(1 / sum))
        }
    }
}

/// The figures of a classification evaluation, each as scikit-learn defines it, so that a report
/// can be checked against `sklearn.metrics` on the same predictions:
///
/// - `accuracy`: `accuracy_score`; `top5_accuracy`: `top_k_accuracy_score(k=5)`, only with more than
///   five classes (with five or fewer it is 1 by definition);
/// - `per_class`: `precision_recall_fscore_support(labels=range(K), zero_division=0)`, every class of the
///   model, with support 0 where the subset has none;
/// - `macro_avg`: the unweighted mean over the classes; `weighted_avg`: weighted by support;
/// - `confusion_matrix`: `confusion_matrix(labels=range(K))`, rows the truth, columns the prediction;
/// - `mean_loss`: the mean cross-entropy of the softmax, `log_loss` without its clipping.
public struct ClassificationReport: Sendable, Equatable, Codable {
    public struct ClassFigures: Sendable, Equatable, Codable {
        private enum CodingKeys: String, CodingKey {
            case className = "class_name", precision, recall, f1, support
        }

        public let className: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        public let support: Int
    }

    public struct Average: Sendable, Equatable, Codable {
        public let precision: Double
        public let recall: Double
        public let f1: Double
        public let support: Int
    }

    public let count: Int
    public let accuracy: Double
    public let top5Accuracy: Double?
    public let meanLoss: Double
    public let perClass: [ClassFigures]
    public let macroAverage: Average
    public let weightedAverage: Average
    public let confusionMatrix: [[Int]]

    /// One entry per image: its true class and predicted class (indices into `classes`), whether the
    /// truth was among the five highest scores, and its cross-entropy.
    public init(classes: [String], truths: [Int], predictions: [Int], inTopFive: [Bool], losses: [Double]) {
        precondition(truths.count == predictions.count && truths.count == inTopFive.count && truths.count == losses.count,
                     "one truth, prediction, top-5 flag and loss per image")
        let k = classes.count, n = truths.count
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (truth, prediction) in zip(truths, predictions) { matrix[truth][prediction] += 1 }
        // sklearn's zero_division=0: a ratio with nothing to divide by is 0.
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        let figures = (0..<k).map { c in
            let truePositives = matrix[c][c]
            let predicted = (0..<k).reduce(0) { $0 + matrix[$1][c] }, support = matrix[c].reduce(0, +)
            let precision = ratio(truePositives, predicted), recall = ratio(truePositives, support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassFigures(className: classes[c], precision: precision, recall: recall, f1: f1, support: support)
        }
        func average(_ weight: (ClassFigures) -> Double) -> Average {
            let total = figures.reduce(0) { $0 + weight($1) }
            func mean(_ value: (ClassFigures) -> Double) -> Double {
                total == 0 ? 0 : figures.reduce(0) { $0 + weight($1) * value($1) } / total
            }
            return Average(precision: mean(\.precision), recall: mean(\.recall), f1: mean(\.f1), support: n)
        }
        perClass = figures
        count = n
        accuracy = ratio(zip(truths, predictions).filter { $0 == $1 }.count, n)
        top5Accuracy = k > 5 ? ratio(inTopFive.filter { $0 }.count, n) : nil
        meanLoss = n == 0 ? 0 : losses.reduce(0, +) / Double(n)
        macroAverage = average { _ in 1 }
        weightedAverage = average { Double($0.support) }
        confusionMatrix = matrix
    }

    /// The written form (stored in `evaluations.report`, answered by the Studio API): scikit-learn's names.
    private enum CodingKeys: String, CodingKey {
        case count, accuracy
        case top5Accuracy = "top5_accuracy", meanLoss = "mean_loss", perClass = "per_class", macroAverage = "macro_avg"
        case weightedAverage = "weighted_avg", confusionMatrix = "confusion_matrix"
    }

    /// Every key, `top5_accuracy` as null where it does not apply, so a client sees the full shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(top5Accuracy, forKey: .top5Accuracy)
        try container.encode(meanLoss, forKey: .meanLoss)
        try container.encode(perClass, forKey: .perClass)
        try container.encode(macroAverage, forKey: .macroAverage)
        try container.encode(weightedAverage, forKey: .weightedAverage)
        try container.encode(confusionMatrix, forKey: .confusionMatrix)
    }
}

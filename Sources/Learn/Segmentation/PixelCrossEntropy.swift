import Foundation

/// Softmax cross-entropy of every location's class logits (N, K, h, w) against its class: a label is one
/// image's classes at the output's resolution, row-major, `ignored` where no class is known. The mean is
/// over the labeled locations of the batch.
public struct PixelCrossEntropy: DenseObjective {
    public static let ignored: UInt8 = 255

    public init() {}

    public func loss(_ output: [Float], shape: [Int], labels: [[UInt8]]) -> (loss: Float, gradient: [Float]) {
        precondition(shape.count == 4 && labels.count == shape[0], "pixel logits \(shape) for \(labels.count) masks")
        let (classes, plane) = (shape[1], shape[2] * shape[3])
        let counted = labels.reduce(0) { $0 + $1.filter { $0 != Self.ignored }.count }
        var gradient = [Float](repeating: 0, count: output.count)
        guard counted > 0 else { return (0, gradient) }
        var total = 0.0
        var logits = [Double](repeating: 0, count: classes)
        for (image, mask) in labels.enumerated() {
            precondition(mask.count == plane, "a mask of \(mask.count) for a \(shape[2]) × \(shape[3]) output")
            let base = image * classes * plane
            for location in 0..<plane where mask[location] != Self.ignored {
                let target = Int(mask[location])
                precondition(target < classes, "class \(target) of \(classes)")
                for c in 0..<classes { logits[c] = Double(output[base + c * plane + location]) }
                let largest = logits.max()!
                let sum = logits.reduce(0) { $0 + exp($1 - largest) }
                let logSumExp = largest + log(sum)
                total += logSumExp - logits[target]
                for c in 0..<classes {
                    gradient[base + c * plane + location] = Float((exp(logits[c] - logSumExp) - (c == target ? 1 : 0)) / Double(counted))
                }
            }
        }
        return (Float(total / Double(counted)), gradient)
    }
}

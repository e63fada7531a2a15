import Foundation

/// FCOS's training loss over a batch of head outputs (N, classes + 5, H, W), on the host: the sigmoid
/// focal loss of every class logit at every location, divided by the number of positive locations; the
/// GIoU loss of each positive's box weighted by its centerness target and divided by their sum; and the
/// binary cross-entropy of each positive's centerness, divided by the number of positives. The head's
/// output is small (a few hundred locations an image), so it comes down from a device for this and its
/// gradient goes back up.
public struct FCOSLoss: DenseObjective {
    public struct Result {
        /// classification + box + centerness: what the run reports as its loss.
        public let loss: Float
        public let classification: Float
        public let box: Float
        public let centerness: Float
        public let positives: Int
        /// dLoss/dOutput, with the output's shape, on the host.
        public let gradient: [Float]
    }

    public let classes: Int
    public let stride: Int
    var focal = FocalLoss()

    public init(classes: Int, stride: Int) {
        (self.classes, self.stride) = (classes, stride)
    }

    public func loss(_ output: [Float], shape: [Int], labels: [[LabeledBox]]) -> (loss: Float, gradient: [Float]) {
        let result = self(output, shape: shape, boxes: labels)
        return (result.loss, result.gradient)
    }

    /// `output` holds the head's values (N, classes + 5, H, W) row-major; `boxes[n]` image n's objects
    /// in input pixels. Each term is a mean over the batch's positives, so no batch size divides it again.
    public func callAsFunction(_ output: [Float], shape: [Int], boxes: [[LabeledBox]]) -> Result {
        precondition(shape.count == 4 && shape[1] == classes + 5 && boxes.count == shape[0],
                     "FCOS output \(shape) for \(classes) classes and \(boxes.count) images")
        let (batch, height, width) = (shape[0], shape[2], shape[3])
        let plane = height * width, channels = classes + 5
        let targets = boxes.map { FCOSTargets(boxes: $0, height: height, width: width, stride: stride) }
        let positives = targets.reduce(0) { $0 + $1.positives.count }
        let positiveScale = 1 / Double(max(1, positives))
        let centernessSum = targets.flatMap(\.positives).reduce(0) { $0 + $1.centerness }
        let boxScale = centernessSum > 0 ? 1 / centernessSum : 0
        var gradient = [Float](repeating: 0, count: output.count)
        var (classification, box, centerness) = (0.0, 0.0, 0.0)
        for image in 0..<batch {
            let base = image * channels * plane
            var positiveClass = [Int](repeating: -1, count: plane)
            for positive in targets[image].positives { positiveClass[positive.location] = positive.classIndex }
            for c in 0..<classes {
                for location in 0..<plane {
                    let index = base + c * plane + location
                    let term = focal(logit: Double(output[index]), positive: positiveClass[location] == c)
                    classification += term.loss
                    gradient[index] = Float(term.gradient * positiveScale)
                }
            }
            for positive in targets[image].positives {
                let location = positive.location
                let raw = (0..<4).map { Double(output[base + (classes + $0) * plane + location]) }
                // stride · exp(value), the exponent capped so an early wild value cannot overflow
                // (its gradient is then that of the capped value, a constant: nothing pushes it further).
                let predicted = raw.map { Double(stride) * exp(min($0, 12)) }
                let giou = GIoU.loss(predicted: predicted, target: positive.distances)
                box += positive.centerness * giou.loss
                for side in 0..<4 where raw[side] < 12 {
                    gradient[base + (classes + side) * plane + location] =
                        Float(positive.centerness * boxScale * giou.gradient[side] * predicted[side])
                }
                let logit = Double(output[base + (classes + 4) * plane + location])
                let target = positive.centerness
                // BCE with logits: softplus(x) − t·x, derivative σ(x) − t.
                centerness += FocalLoss.softplus(logit) - target * logit
                gradient[base + (classes + 4) * plane + location] = Float((1 / (1 + exp(-logit)) - target) * positiveScale)
            }
        }
        let parts = (classification * positiveScale, box * boxScale, centerness * positiveScale)
        return Result(loss: Float(parts.0 + parts.1 + parts.2), classification: Float(parts.0), box: Float(parts.1),
                      centerness: Float(parts.2), positives: positives, gradient: gradient)
    }
}

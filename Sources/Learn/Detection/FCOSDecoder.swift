import Foundation

/// Turns FCOS head outputs into detections: a location's score for a class is √(σ(class) · σ(centerness)),
/// those above `scoreThreshold` become boxes (the location's center minus and plus its distances,
/// clipped to the image), go through class-wise non-maximum suppression, and the best `limit` of an image
/// remain. torchvision's FCOS postprocessing on one level, without its cap of 1000 candidates before the
/// suppression, which an exported graph's NonMaxSuppression could not follow (one level has few
/// locations; a trained model scores few of them above the threshold).
public struct FCOSDecoder: Sendable {
    public let classes: Int
    public let stride: Int
    public var scoreThreshold: Float = 0.05
    public var iouThreshold: Float = 0.6
    public var limit = 100

    public init(classes: Int, stride: Int) {
        (self.classes, self.stride) = (classes, stride)
    }

    /// `output` (N, classes + 5, H, W) on the host → each image's detections in input pixels, for an
    /// input of `imageWidth` × `imageHeight`.
    public func decode(_ output: [Float], shape: [Int], imageWidth: Int, imageHeight: Int) -> [[Detection]] {
        precondition(shape.count == 4 && shape[1] == classes + 5, "FCOS output \(shape) for \(classes) classes")
        let (height, width) = (shape[2], shape[3])
        let plane = height * width, channels = classes + 5
        func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }
        return (0..<shape[0]).map { image in
            let base = image * channels * plane
            var found: [Detection] = []
            for location in 0..<plane {
                let centerness = sigmoid(output[base + (classes + 4) * plane + location])
                let x = (Float(location % width) + 0.5) * Float(stride), y = (Float(location / width) + 0.5) * Float(stride)
                var distances: [Float]?
                for c in 0..<classes {
                    let score = (sigmoid(output[base + c * plane + location]) * centerness).squareRoot()
                    guard score > scoreThreshold else { continue }
                    let sides = distances ?? (0..<4).map { Float(stride) * exp(min(output[base + (classes + $0) * plane + location], 12)) }
                    distances = sides
                    let box = LabeledBox(classIndex: c, x1: max(0, x - sides[0]), y1: max(0, y - sides[1]),
                                         x2: min(Float(imageWidth), x + sides[2]), y2: min(Float(imageHeight), y + sides[3]))
                    if box.area > 0 { found.append(Detection(box: box, score: score)) }
                }
            }
            return NonMaxSuppression.apply(found, iouThreshold: iouThreshold, limit: limit)
        }
    }
}

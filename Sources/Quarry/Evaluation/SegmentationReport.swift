/// The figures of a semantic segmentation evaluation, from every pixel's true and predicted class
/// (index 0 is the background, which the classes list names too):
///
/// - `iou`: per class, intersection over union of the pixels truly and predictedly of it; nil for a class
///   neither the truth nor the prediction has anywhere, which no mean counts;
/// - `meanIoU`: the mean of the classes' IoU that exist;
/// - `pixelAccuracy`: the share of pixels whose class is right;
/// - `imageIoU`: per image, the mean IoU of the classes that image has or is predicted to have.
public struct SegmentationReport: Sendable, Equatable, Codable {
    public let meanIoU: Double
    public let pixelAccuracy: Double
    public let iou: [String: Double?]
    public let imageIoU: [Double]

    private enum CodingKeys: String, CodingKey {
        case meanIoU = "mean_iou", pixelAccuracy = "pixel_accuracy", iou, imageIoU = "image_iou"
    }

    /// `truths[i]` and `predictions[i]` are image i's class indices, one per pixel, the same count.
    public init(classes: [String], truths: [[Int]], predictions: [[Int]]) {
        precondition(truths.count == predictions.count, "one prediction per image")
        let k = classes.count
        var total = [Int](repeating: 0, count: k * k)
        var images: [Double] = []
        for (truth, prediction) in zip(truths, predictions) {
            precondition(truth.count == prediction.count, "one predicted class per pixel")
            var confusion = [Int](repeating: 0, count: k * k)
            for (t, p) in zip(truth, prediction) { confusion[t * k + p] += 1 }
            for index in confusion.indices { total[index] += confusion[index] }
            let present = Self.ious(confusion, classes: k).compactMap { $0 }
            images.append(present.isEmpty ? 1 : present.reduce(0, +) / Double(present.count))
        }
        let ious = Self.ious(total, classes: k)
        let present = ious.compactMap { $0 }
        meanIoU = present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
        let pixels = total.reduce(0, +)
        pixelAccuracy = pixels == 0 ? 0 : Double((0..<k).reduce(0) { $0 + total[$1 * k + $1] }) / Double(pixels)
        iou = Dictionary(uniqueKeysWithValues: zip(classes, ious))
        imageIoU = images
    }

    /// Per class, TP / (TP + FP + FN) from a k×k confusion matrix (rows the truth), nil when it is 0 / 0.
    private static func ious(_ confusion: [Int], classes k: Int) -> [Double?] {
        (0..<k).map { c in
            let hit = confusion[c * k + c]
            let truth = (0..<k).reduce(0) { $0 + confusion[c * k + $1] }
            let predicted = (0..<k).reduce(0) { $0 + confusion[$1 * k + c] }
            let union = truth + predicted - hit
            return union == 0 ? nil : Double(hit) / Double(union)
        }
    }
}

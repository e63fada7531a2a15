import Learn

/// One image's detections held against its true boxes, for reading an evaluation image by image: the
/// detections scoring at least `listedScore` are matched greedily, highest score first, each to the
/// unmatched true box of its class with the highest IoU of at least 0.5 (a true positive); the others are
/// false positives, given the IoU and class of the true box they overlap most (a box on the right object
/// with the wrong class shows as such); the true boxes left over are misses. Boxes are `[x, y, width,
/// height]` in the image's pixels.
public struct ImageDetections: Sendable, Equatable, Codable {
    public struct Found: Sendable, Equatable, Codable {
        public let className: String
        public let box: [Double]
        public let score: Double
        /// With its match for a true positive; with the most overlapping true box of any class for a false one.
        public let iou: Double
        /// The class of that most overlapping true box, for a false positive that has one.
        public let overlapsClass: String?

        private enum CodingKeys: String, CodingKey { case className = "class_name", box, score, iou, overlapsClass = "overlaps_class" }
    }

    public struct Missed: Sendable, Equatable, Codable {
        public let className: String
        public let box: [Double]

        private enum CodingKeys: String, CodingKey { case className = "class_name", box }
    }

    public let truePositives: [Found]
    public let falsePositives: [Found]
    public let misses: [Missed]

    private enum CodingKeys: String, CodingKey {
        case truePositives = "true_positives", falsePositives = "false_positives", misses
    }

    /// Detections below this score are not listed: they count in the report's precision curves, but a
    /// person reading an image's mistakes looks at what a pre-labeler would show.
    public static let listedScore = 0.3
    static let matchIoU = 0.5

    /// False positives and misses: how wrong the image is, for sorting by error.
    public var errors: Int { falsePositives.count + misses.count }

    init(truths: [LabeledBox], detections: [Detection], classes: [String]) {
        func box(_ b: LabeledBox) -> [Double] { [Double(b.x1), Double(b.y1), Double(b.width), Double(b.height)] }
        var taken = [Bool](repeating: false, count: truths.count)
        var (positives, negatives): ([Found], [Found]) = ([], [])
        for detection in detections.filter({ Double($0.score) >= Self.listedScore }).sorted(by: { $0.score > $1.score }) {
            let ious = truths.map { Double(detection.box.iou($0)) }
            let candidates = truths.indices.filter { !taken[$0] && truths[$0].classIndex == detection.box.classIndex && ious[$0] >= Self.matchIoU }
            let name = classes[detection.box.classIndex]
            if let match = candidates.max(by: { (ious[$0], -$0) < (ious[$1], -$1) }) {
                taken[match] = true
                positives.append(Found(className: name, box: box(detection.box), score: Double(detection.score), iou: ious[match],
                                       overlapsClass: nil))
            } else {
                let nearest = truths.indices.max { (ious[$0], -$0) < (ious[$1], -$1) }
                let overlap = nearest.map { ious[$0] } ?? 0
                negatives.append(Found(className: name, box: box(detection.box), score: Double(detection.score), iou: overlap,
                                       overlapsClass: overlap > 0 ? nearest.map { classes[truths[$0].classIndex] } : nil))
            }
        }
        truePositives = positives
        falsePositives = negatives
        misses = truths.indices.filter { !taken[$0] }.map { Missed(className: classes[truths[$0].classIndex], box: box(truths[$0])) }
    }
}

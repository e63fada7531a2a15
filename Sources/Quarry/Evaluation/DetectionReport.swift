import Learn

/// The figures of a detection evaluation, each as pycocotools' `COCOeval` (bbox, area "all", up to 100
/// detections per image and class) computes it, so a report can be checked against it on the same boxes:
///
/// - `map`: AP averaged over the IoU thresholds 0.50, 0.55, …, 0.95 and the classes (COCO's mAP);
/// - `ap50`, `ap75`: AP at IoU 0.50 and 0.75;
/// - `ar100`: recall at up to 100 detections, averaged over the thresholds and classes;
/// - `ap`: each class's AP over the thresholds; nil for a class with no true box, which COCO leaves out of
///   every mean.
///
/// AP is COCO's 101-point interpolated precision: matches are made per image and class, detections
/// highest score first, each to the unmatched true box of highest IoU at or above the threshold.
public struct DetectionReport: Sendable, Equatable, Codable {
    /// One box, `[x, y, width, height]` in pixels, of an image and a class (an index into the classes);
    /// a prediction's score ranks it, a true box's is ignored.
    public struct Box: Sendable, Equatable {
        public let imageID: Int
        public let classIndex: Int
        public let x, y, width, height: Double
        public let score: Double

        public init(imageID: Int, classIndex: Int, x: Double, y: Double, width: Double, height: Double, score: Double = 1) {
            (self.imageID, self.classIndex, self.x, self.y, self.width, self.height, self.score) =
                (imageID, classIndex, x, y, width, height, score)
        }

        /// COCO's IoU: intersection over union of the two areas, no pixel added.
        func iou(_ other: Box) -> Double {
            let w = min(x + width, other.x + other.width) - max(x, other.x)
            let h = min(y + height, other.y + other.height) - max(y, other.y)
            guard w > 0, h > 0 else { return 0 }
            let overlap = w * h
            return overlap / (width * height + other.width * other.height - overlap)
        }
    }

    public let map: Double
    public let ap50: Double
    public let ap75: Double
    public let ar100: Double
    public let ap: [String: Double?]

    public static let maxDetections = 100
    /// numpy's `linspace(.5, .95, 10)` and `linspace(0, 1, 101)`, value for value, as COCOeval makes them.
    static let iouThresholds = linspace(0.5, 0.95, 10)
    static let recallThresholds = linspace(0, 1, 101)

    /// `images` are the images evaluated, those without a true box included: a prediction on one of them is
    /// a false positive. Predictions on other images are not counted.
    public init(classes: [String], images imageIDs: [Int], truths: [Box], predictions: [Box]) {
        let images = Set(imageIDs).sorted()
        let known = Set(images)
        let thresholds = Self.iouThresholds.count
        // precision[t][k] (101 values) and recall[t][k]; nil where the class has no true box.
        var precision = [[[Double]?]](repeating: [[Double]?](repeating: nil, count: classes.count), count: thresholds)
        var recall = [[Double?]](repeating: [Double?](repeating: nil, count: classes.count), count: thresholds)
        let truthsBy = Dictionary(grouping: truths) { Key(image: $0.imageID, classIndex: $0.classIndex) }
        let predictionsBy = Dictionary(grouping: predictions.filter { known.contains($0.imageID) }) {
            Key(image: $0.imageID, classIndex: $0.classIndex)
        }
        for k in classes.indices {
            var scores: [Double] = []
            var matched: [[Bool]] = Array(repeating: [], count: thresholds)
            var trueBoxes = 0
            for image in images {
                let key = Key(image: image, classIndex: k)
                let gt = truthsBy[key] ?? []
                // Highest score first, ties in the order given (numpy's mergesort is stable), at most 100.
                let dt = Array((predictionsBy[key] ?? []).enumerated().sorted { ($0.element.score, $1.offset) > ($1.element.score, $0.offset) }
                    .map(\.element).prefix(Self.maxDetections))
                trueBoxes += gt.count
                scores += dt.map(\.score)
                let ious = dt.map { d in gt.map { d.iou($0) } }
                for (t, threshold) in Self.iouThresholds.enumerated() {
                    var taken = [Bool](repeating: false, count: gt.count)
                    for row in ious {
                        var best = min(threshold, 1 - 1e-10), match = -1
                        for (g, iou) in row.enumerated() where !taken[g] && iou >= best {
                            (best, match) = (iou, g)
                        }
                        if match >= 0 { taken[match] = true }
                        matched[t].append(match >= 0)
                    }
                }
            }
            guard trueBoxes > 0 else { continue }
            let order = scores.indices.sorted { (scores[$0], $1) > (scores[$1], $0) }
            for t in 0..<thresholds {
                var tp = 0.0, fp = 0.0
                var recalls: [Double] = [], precisions: [Double] = []
                for index in order {
                    if matched[t][index] { tp += 1 } else { fp += 1 }
                    recalls.append(tp / Double(trueBoxes))
                    precisions.append(tp / (fp + tp + Double.ulpOfOne))
                }
                recall[t][k] = recalls.last ?? 0
                // The precision envelope: at each recall, the best precision at that recall or beyond.
                for i in stride(from: precisions.count - 1, to: 0, by: -1) where precisions[i] > precisions[i - 1] {
                    precisions[i - 1] = precisions[i]
                }
                precision[t][k] = Self.recallThresholds.map { r in
                    // numpy's searchsorted(side: "left"): the first recall at or above r.
                    let first = recalls.firstIndex { $0 >= r } ?? recalls.count
                    return first < precisions.count ? precisions[first] : 0
                }
            }
        }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? -1 : values.reduce(0, +) / Double(values.count) }
        let fifty = 0, seventyFive = 5
        map = mean(precision.flatMap { $0.compactMap { $0 }.flatMap { $0 } })
        ap50 = mean(precision[fifty].compactMap { $0 }.flatMap { $0 })
        ap75 = mean(precision[seventyFive].compactMap { $0 }.flatMap { $0 })
        ar100 = mean(recall.flatMap { $0.compactMap { $0 } })
        var perClass: [String: Double?] = [:]
        for (k, name) in classes.enumerated() {
            let values = precision.compactMap { $0[k] }.flatMap { $0 }
            perClass[name] = values.isEmpty ? nil : mean(values)
        }
        ap = perClass
    }

    private struct Key: Hashable {
        let image: Int
        let classIndex: Int
    }

    /// numpy's `linspace(start, stop, count)`: `start + i * step`, the last exactly `stop`.
    private static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : Double($0) * step + start }
    }
}

extension DetectionReport {
    /// Each image's true boxes as report boxes, the image numbered by its position.
    static func boxes(_ images: [[LabeledBox]]) -> [Box] {
        images.enumerated().flatMap { image, boxes in
            boxes.map { Box(imageID: image, classIndex: $0.classIndex, x: Double($0.x1), y: Double($0.y1), width: Double($0.width),
                            height: Double($0.height)) }
        }
    }

    /// Each image's detections as scored report boxes, the image numbered by its position.
    static func boxes(_ images: [[Detection]]) -> [Box] {
        images.enumerated().flatMap { image, detections in
            detections.map { Box(imageID: image, classIndex: $0.box.classIndex, x: Double($0.box.x1), y: Double($0.box.y1),
                                 width: Double($0.box.width), height: Double($0.box.height), score: Double($0.score)) }
        }
    }
}

/// Greedy non-maximum suppression within each class: the highest-scoring box is kept and every box of
/// its class overlapping it by more than `iouThreshold` dropped, then the next kept, and so on.
/// ONNX's NonMaxSuppression with per-class boxes does the same, so an exported detector agrees with Quarry.
public enum NonMaxSuppression {
    /// The kept detections, highest score first (ties by input order), at most `limit`.
    public static func apply(_ detections: [Detection], iouThreshold: Float, limit: Int) -> [Detection] {
        let order = detections.indices.sorted { (detections[$0].score, -$0) > (detections[$1].score, -$1) }
        var kept: [Detection] = []
        for index in order {
            let candidate = detections[index]
            let overlaps = kept.contains {
                $0.box.classIndex == candidate.box.classIndex && $0.box.iou(candidate.box) > iouThreshold
            }
            if !overlaps { kept.append(candidate) }
            if kept.count == limit { break }
        }
        return kept
    }
}

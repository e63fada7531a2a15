/// The generalized IoU loss (Rezatofighi et al., 2019) of two boxes given as distances (left, top,
/// right, bottom) from one point inside both, which is how FCOS predicts them:
///
///     loss = 1 − GIoU = 1 − I/U + (C − U)/C,
///
/// I the intersection, U the union, C the smallest box enclosing both. Its gradient is taken with
/// respect to the predicted distances.
enum GIoU {
    static func loss(predicted p: [Double], target t: [Double]) -> (loss: Double, gradient: [Double]) {
        let predictedArea = (p[0] + p[2]) * (p[1] + p[3]), targetArea = (t[0] + t[2]) * (t[1] + t[3])
        // Both boxes hold the point, so every overlap side is positive.
        let overlapWidth = min(p[0], t[0]) + min(p[2], t[2]), overlapHeight = min(p[1], t[1]) + min(p[3], t[3])
        let enclosingWidth = max(p[0], t[0]) + max(p[2], t[2]), enclosingHeight = max(p[1], t[1]) + max(p[3], t[3])
        let intersection = overlapWidth * overlapHeight
        let union = predictedArea + targetArea - intersection
        let enclosing = enclosingWidth * enclosingHeight
        let loss = 1 - intersection / union + (enclosing - union) / enclosing
        // d/dp_k of each area: sides 0 and 2 are horizontal, so they scale by the heights, 1 and 3 by the widths.
        let gradient = (0..<4).map { side -> Double in
            let horizontal = side % 2 == 0
            let dPredicted = horizontal ? p[1] + p[3] : p[0] + p[2]
            let dIntersection = p[side] < t[side] ? (horizontal ? overlapHeight : overlapWidth) : 0
            let dEnclosing = p[side] > t[side] ? (horizontal ? enclosingHeight : enclosingWidth) : 0
            let dUnion = dPredicted - dIntersection
            // loss = 2 − I/U − U/C
            return -(dIntersection * union - intersection * dUnion) / (union * union)
                - (dUnion * enclosing - union * dEnclosing) / (enclosing * enclosing)
        }
        return (loss, gradient)
    }
}

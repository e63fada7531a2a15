import Quarry

/// A label type as an annotation request names it: as JTheta's SDK README and product spell them
/// ("Bounding Boxes", "Polygons", ...), or as Quarry does (`bounding_box`, ...), with case, spaces,
/// underscores and hyphens ignored (so "bounding box" and "BoundingBoxes" read too).
enum JThetaLabelType {
    /// JTheta's spellings, in its product's order, and the Quarry type each is drawn as. Quarry has no
    /// masks: both segmentations are regions outlined as polygons, as COCO writes segmentation.
    static let productSpellings: [(name: String, type: LabelType)] = [
        ("Bounding Boxes", .boundingBox), ("Polygons", .polygon), ("Points", .point),
        ("Instance Segmentation", .polygon), ("Semantic Segmentation", .polygon), ("Classification", .tag),
    ]

    private static let spellings = productSpellings + LabelType.allCases.map { ($0.rawValue, $0) }

    static func parse(_ text: String) -> LabelType? {
        let key = folded(text)
        return spellings.first { folded($0.name) == key }?.type
    }

    /// Every accepted spelling, for the refusal.
    static let accepted = spellings.map(\.name).joined(separator: ", ")

    private static func folded(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "_" && $0 != "-" })
    }
}

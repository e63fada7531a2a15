import Crypto
import Foundation
import Storage

/// The boxes and polygons a detection or segmentation run trains on: for each image a split put in a
/// subset, the approved boxes and polygons (imported ones are approved too), a polygon also giving its
/// box. Boxes reaching outside the image are clipped to it; those left with no area are skipped; both are
/// counted in the report. `snapshot` names the exact set, so a run can record what it trained on while
/// labeling goes on.
public struct ShapeData: Sendable {
    public struct Box: Sendable, Equatable {
        public let classIndex: Int
        public let x, y, width, height: Double
    }

    /// A polygon's class and `[x, y]` points, as drawn (masks clip what falls outside).
    public struct Polygon: Sendable, Equatable, Codable {
        public let classIndex: Int
        public let points: [[Double]]
    }

    public struct Item: Sendable, Equatable {
        public let image: ImageRecord
        public let boxes: [Box]
        public let polygons: [Polygon]
    }

    public struct Report: Sendable, Equatable, Codable {
        public var images = 0
        public var boxes = 0
        public var polygons = 0
        /// Boxes that reached outside their image, kept clipped to it.
        public var clipped = 0
        /// Boxes (or polygons' boxes) with no area inside the image, left out.
        public var skipped = 0
        /// Shapes of a class the run does not train (absent from its train subset), left out.
        public var unlisted = 0

        static func + (lhs: Report, rhs: Report) -> Report {
            Report(images: lhs.images + rhs.images, boxes: lhs.boxes + rhs.boxes, polygons: lhs.polygons + rhs.polygons,
                   clipped: lhs.clipped + rhs.clipped, skipped: lhs.skipped + rhs.skipped, unlisted: lhs.unlisted + rhs.unlisted)
        }
    }

    public let classes: [String]
    public let items: [Item]
    public let report: Report
    /// SHA-256 (hex) over every image's blob and size and its shapes, in image order.
    public let snapshot: String

    /// The subset's shapes, classes numbered by `classes` (another subset's, whose shapes of other classes
    /// are then left out and counted as `unlisted`) or by the subset's own names, sorted.
    static func load(projectID: String, splitIndex: Int, subset: SplitSubset, classes listed: [String]? = nil,
                     on db: any Connection) throws -> ShapeData {
        let images = try SplitStore.images(projectID: projectID, position: splitIndex, subset: subset.rawValue, on: db)
        let shapes = try images.map { ($0, try TaskStore.approvedLabels(imageID: $0.id, on: db).filter { [.boundingBox, .polygon].contains($0.type) }) }
        let classes = listed ?? Set(shapes.flatMap { $0.1.map(\.label) }).sorted()
        let labelled = shapes.map { image, labels in (image, labels.filter { classes.contains($0.label) }) }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var report = Report(images: images.count)
        report.unlisted = shapes.reduce(0) { $0 + $1.1.count } - labelled.reduce(0) { $0 + $1.1.count }
        var items: [Item] = []
        var canonical = ""
        for (image, labels) in labelled {
            var boxes: [Box] = [], polygons: [Polygon] = []
            for label in labels {
                let classIndex = index[label.label]!
                let extent: [Double]?
                if label.type == .polygon, let points = label.points, points.count >= 3 {
                    polygons.append(Polygon(classIndex: classIndex, points: points))
                    report.polygons += 1
                    let xs = points.map { $0[0] }, ys = points.map { $0[1] }
                    extent = [xs.min()!, ys.min()!, xs.max()! - xs.min()!, ys.max()! - ys.min()!]
                } else {
                    extent = label.bbox
                }
                guard let extent, extent.count == 4 else { continue }
                let (left, top) = (max(0, extent[0]), max(0, extent[1]))
                let (right, bottom) = (min(Double(image.width), extent[0] + extent[2]), min(Double(image.height), extent[1] + extent[3]))
                guard right > left, bottom > top else {
                    report.skipped += 1
                    continue
                }
                if (left, top, right, bottom) != (extent[0], extent[1], extent[0] + extent[2], extent[1] + extent[3]) { report.clipped += 1 }
                boxes.append(Box(classIndex: classIndex, x: left, y: top, width: right - left, height: bottom - top))
            }
            report.boxes += boxes.count
            items.append(Item(image: image, boxes: boxes, polygons: polygons))
            canonical += "\(image.id) \(image.blob.hex) \(image.width)x\(image.height)\n"
            for box in boxes { canonical += "b \(classes[box.classIndex]) \(box.x) \(box.y) \(box.width) \(box.height)\n" }
            for polygon in polygons { canonical += "p \(classes[polygon.classIndex]) \(polygon.points.flatMap { $0 })\n" }
        }
        return ShapeData(classes: classes, items: items, report: report, snapshot: Hex.encode(SHA256.hash(Array(canonical.utf8))))
    }

    /// A run's two subsets of its split: the train subset's shapes numbered by the classes `pick` chooses from
    /// them (loaded again only when those are not the subset's own), the validation subset's numbered alike,
    /// their reports added and their snapshots hashed together.
    static func runSubsets(projectID: String, config: ExperimentConfig, on db: any Connection, classes pick: (ShapeData) throws -> [String])
        throws -> (classes: [String], train: ShapeData, validation: ShapeData, report: Report, snapshot: String) {
        guard try SplitStore.exists(projectID: projectID, position: config.splitIndex, on: db) else {
            throw SplitError.notFound(config.splitIndex)
        }
        var train = try load(projectID: projectID, splitIndex: config.splitIndex, subset: config.trainSubset, on: db)
        let classes = try pick(train)
        if classes != train.classes {
            train = try load(projectID: projectID, splitIndex: config.splitIndex, subset: config.trainSubset, classes: classes, on: db)
        }
        let validation = try load(projectID: projectID, splitIndex: config.splitIndex, subset: config.validationSubset, classes: classes, on: db)
        return (classes, train, validation, train.report + validation.report,
                Hex.encode(SHA256.hash(Array("\(train.snapshot) \(validation.snapshot)".utf8))))
    }
}

import Foundation
import Imaging
import Learn
import Storage

/// The examples of a segmentation run: the images a split put in its train and validation subsets with
/// their approved polygons, classes numbered as in the train subset's polygons, sorted by name (a box says
/// nothing of which pixels are the object, so boxes are left out). Each example is resized to the
/// configured square with its polygons, which are rasterized (even-odd, `PolygonMask`) into the class of
/// every location of the model's output, 0 the background and each class its index + 1, later polygons
/// over earlier ones. Training examples may be cropped and mirrored, the polygons moving with the pixels.
struct SegmentationData: Sendable, Codable {
    struct Item: Sendable, Codable {
        let imageID: Int
        let blob: BlobID
        let width, height: Int
        /// In the image's pixels.
        let polygons: [ShapeData.Polygon]
    }

    let classes: [String]
    let train: [Item]
    let validation: [Item]
    let report: ShapeData.Report
    let snapshot: String

    static func load(projectID: String, config: ExperimentConfig, on db: any Connection) throws -> SegmentationData {
        let subsets = try ShapeData.runSubsets(projectID: projectID, config: config, on: db) { train in
            let classes = Set(train.items.flatMap { $0.polygons.map { train.classes[$0.classIndex] } }).sorted()
            guard !classes.isEmpty else { throw RunError.noPolygons(subset: config.trainSubset.rawValue, split: config.splitIndex) }
            return classes
        }
        return SegmentationData(classes: subsets.classes, train: items(subsets.train), validation: items(subsets.validation),
                                report: subsets.report, snapshot: subsets.snapshot)
    }

    static func items(_ data: ShapeData) -> [Item] {
        data.items.map { Item(imageID: $0.image.id, blob: $0.image.blob, width: $0.image.width, height: $0.image.height, polygons: $0.polygons) }
    }

    /// One example as the model takes it and its classes at the model's output, every `stride` input pixels.
    static func example(_ item: Item, blobs: any BlobStore, config: ExperimentConfig, stride: Int, training: Bool, seed: UInt64,
                        normalized: Bool = true) throws -> (image: [Float], label: [UInt8]) {
        var bitmap = try ImageDecoder.decode(try blobs.read(item.blob))
        var random = Random(seed: seed)
        // Polygons in the pixels of `bitmap` as it is cropped, then of the model's square.
        var polygons = item.polygons.map { polygon in
            (polygon.classIndex, polygon.points.map { [$0[0] * Double(bitmap.width) / Double(item.width), $0[1] * Double(bitmap.height) / Double(item.height)] })
        }
        if training && config.augmentations.randomResizedCrop {
            let crop = Augment.cropRectangle(width: bitmap.width, height: bitmap.height, scale: 0.3...1, ratio: 0.75...(4.0 / 3.0)) {
                Double(random.uniform())
            }
            bitmap = Augment.crop(bitmap, x: crop.x, y: crop.y, width: crop.width, height: crop.height)
            polygons = polygons.map { ($0.0, $0.1.map { [$0[0] - Double(crop.x), $0[1] - Double(crop.y)] }) }
        }
        let size = config.imageSize
        polygons = polygons.map { ($0.0, $0.1.map { [$0[0] * Double(size) / Double(bitmap.width), $0[1] * Double(size) / Double(bitmap.height)] }) }
        bitmap = Resize.area(bitmap, width: size, height: size)
        if training && config.augmentations.horizontalFlip && random.uniform() < 0.5 {
            bitmap = Augment.horizontalFlip(bitmap)
            polygons = polygons.map { ($0.0, $0.1.map { [Double(size) - $0[0], $0[1]] }) }
        }
        let mask = Self.mask(polygons, side: size / stride, scale: 1 / Double(stride))
        return (normalized ? ImageTensor.normalized(bitmap) : ImageTensor.pixels(bitmap), mask)
    }

    /// The classes of a `side` × `side` mask from polygons (class index, points) scaled by `scale`.
    static func mask(_ polygons: [(Int, [[Double]])], side: Int, scale: Double) -> [UInt8] {
        mask(polygons, width: side, height: side, scaleX: scale, scaleY: scale)
    }

    static func mask(_ polygons: [(Int, [[Double]])], width: Int, height: Int, scaleX: Double, scaleY: Double) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: width * height)
        for (classIndex, points) in polygons {
            PolygonMask.fill(points.map { [$0[0] * scaleX, $0[1] * scaleY] }, value: UInt8(classIndex + 1), into: &mask, width: width, height: height)
        }
        return mask
    }

    /// An item's true classes at `width` × `height` (its own size, or the model's square), unaugmented.
    static func truth(_ item: Item, width: Int, height: Int) -> [UInt8] {
        mask(item.polygons.map { ($0.classIndex, $0.points) }, width: width, height: height,
             scaleX: Double(width) / Double(item.width), scaleY: Double(height) / Double(item.height))
    }
}

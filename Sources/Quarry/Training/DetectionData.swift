import Foundation
import Imaging
import Learn
import Storage

/// The examples of a detection run: the images a split put in its train and validation subsets with
/// their approved boxes (and polygons' boxes), classes numbered as in the train subset, sorted by name.
/// Validation boxes of a class the train subset lacks are left out. Each example is resized to the
/// configured square, its boxes with it; training examples may be cropped (boxes clipped to the crop,
/// kept while their center is inside it) and mirrored, the boxes moving with the pixels.
struct DetectionData: Sendable, Codable {
    struct Item: Sendable, Codable {
        let imageID: Int
        let blob: BlobID
        let width, height: Int
        /// In the image's pixels.
        let boxes: [LabeledBox]
    }

    let classes: [String]
    let train: [Item]
    let validation: [Item]
    let report: ShapeData.Report
    /// The two subsets' snapshots, train's then validation's, hashed together.
    let snapshot: String

    static func load(projectID: String, config: ExperimentConfig, on db: any Connection) throws -> DetectionData {
        let subsets = try ShapeData.runSubsets(projectID: projectID, config: config, on: db) { train in
            guard train.report.boxes > 0 else { throw RunError.noBoxes(subset: config.trainSubset.rawValue, split: config.splitIndex) }
            return train.classes
        }
        return DetectionData(classes: subsets.classes, train: items(subsets.train), validation: items(subsets.validation),
                             report: subsets.report, snapshot: subsets.snapshot)
    }

    /// Each image of `data` with its boxes, corners in the image's pixels.
    static func items(_ data: ShapeData) -> [Item] {
        data.items.map { item in
            Item(imageID: item.image.id, blob: item.image.blob, width: item.image.width, height: item.image.height,
                 boxes: item.boxes.map {
                     LabeledBox(classIndex: $0.classIndex, x1: Float($0.x), y1: Float($0.y), x2: Float($0.x + $0.width), y2: Float($0.y + $0.height))
                 })
        }
    }

    /// One example as the model takes it (CHW, normalized or raw pixels as `normalized` says) and its
    /// boxes in the model's input pixels.
    static func example(_ item: Item, blobs: any BlobStore, config: ExperimentConfig, training: Bool, seed: UInt64,
                        normalized: Bool = true) throws -> (image: [Float], label: [LabeledBox]) {
        var bitmap = try ImageDecoder.decode(try blobs.read(item.blob))
        var random = Random(seed: seed)
        var boxes = item.boxes.map { $0.scaled(x: Float(bitmap.width) / Float(item.width), y: Float(bitmap.height) / Float(item.height)) }
        if training && config.augmentations.randomResizedCrop {
            let crop = Augment.cropRectangle(width: bitmap.width, height: bitmap.height, scale: 0.3...1, ratio: 0.75...(4.0 / 3.0)) {
                Double(random.uniform())
            }
            bitmap = Augment.crop(bitmap, x: crop.x, y: crop.y, width: crop.width, height: crop.height)
            boxes = boxes.compactMap { box in
                let (cx, cy) = ((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2)
                guard cx > Float(crop.x), cx < Float(crop.x + crop.width), cy > Float(crop.y), cy < Float(crop.y + crop.height) else {
                    return nil
                }
                return LabeledBox(classIndex: box.classIndex, x1: max(box.x1, Float(crop.x)) - Float(crop.x),
                                  y1: max(box.y1, Float(crop.y)) - Float(crop.y),
                                  x2: min(box.x2, Float(crop.x + crop.width)) - Float(crop.x),
                                  y2: min(box.y2, Float(crop.y + crop.height)) - Float(crop.y))
            }
        }
        let size = config.imageSize
        boxes = boxes.map { $0.scaled(x: Float(size) / Float(bitmap.width), y: Float(size) / Float(bitmap.height)) }
        bitmap = Resize.area(bitmap, width: size, height: size)
        if training && config.augmentations.horizontalFlip && random.uniform() < 0.5 {
            bitmap = Augment.horizontalFlip(bitmap)
            boxes = boxes.map { LabeledBox(classIndex: $0.classIndex, x1: Float(size) - $0.x2, y1: $0.y1, x2: Float(size) - $0.x1, y2: $0.y2) }
        }
        return (normalized ? ImageTensor.normalized(bitmap) : ImageTensor.pixels(bitmap), boxes)
    }
}

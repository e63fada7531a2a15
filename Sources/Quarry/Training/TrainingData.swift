import Crypto
import Foundation
import Imaging
import Learn
import Storage

/// The examples of a run: the images of the split's subsets that have a class, and how each becomes
/// a tensor. Training images are augmented as configured; validation images are only resized.
struct TrainingData: Sendable, Codable {
    struct Item: Sendable, Codable {
        let blob: BlobID
        let label: Int
    }

    let classes: [String]
    let train: [Item]
    let validation: [Item]

    /// SHA-256 over the classes and each subset's blobs and labels, in order.
    var snapshot: String {
        var canonical = classes.joined(separator: "\n") + "\n"
        for (name, items) in [("train", train), ("val", validation)] {
            for item in items { canonical += "\(name) \(item.blob.hex) \(item.label)\n" }
        }
        return Hex.encode(SHA256.hash(Array(canonical.utf8)))
    }

    /// Reads the split's assignment; classes are the train subset's, sorted by name, so a class's
    /// index is the same in every run over the same data.
    static func load(projectID: String, config: ExperimentConfig, on db: any Connection) throws -> TrainingData {
        guard try SplitStore.exists(projectID: projectID, position: config.splitIndex, on: db) else {
            throw SplitError.notFound(config.splitIndex)
        }
        var subsets: [String: [(blob: BlobID, className: String)]] = [:]
        for labeled in try SplitStore.labeledImages(projectID: projectID, position: config.splitIndex, on: db) {
            subsets[labeled.subset, default: []].append((labeled.image.blob, labeled.className))
        }
        let trainRows = subsets[config.trainSubset.rawValue] ?? []
        let classes = Array(Set(trainRows.map(\.className))).sorted()
        guard classes.count >= 2 else {
            throw RunError.notEnoughClasses(subset: config.trainSubset.rawValue)
        }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        func items(_ rows: [(blob: BlobID, className: String)]) -> [Item] {
            rows.compactMap { row in index[row.className].map { Item(blob: row.blob, label: $0) } }
        }
        return TrainingData(classes: classes, train: items(trainRows), validation: items(subsets[config.validationSubset.rawValue] ?? []))
    }

    /// One example as the model takes it, CHW: normalized, or the raw pixel values when `normalized` is
    /// false (a GPU normalizes them itself as the batch goes up, from a byte a value).
    static func example(_ item: Item, blobs: any BlobStore, config: ExperimentConfig, training: Bool, seed: UInt64,
                        normalized: Bool = true) throws -> [Float] {
        var bitmap = try ImageDecoder.decode(try blobs.read(item.blob))
        var random = Random(seed: seed)
        let size = config.imageSize
        if training && config.augmentations.randomResizedCrop {
            bitmap = Augment.randomResizedCrop(bitmap, size: size) { Double(random.uniform()) }
        } else {
            bitmap = Resize.area(bitmap, width: size, height: size)
        }
        if training && config.augmentations.horizontalFlip && random.uniform() < 0.5 {
            bitmap = Augment.horizontalFlip(bitmap)
        }
        return normalized ? ImageTensor.normalized(bitmap) : ImageTensor.pixels(bitmap)
    }
}

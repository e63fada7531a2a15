import Foundation
import Learn
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// A detection or segmentation example as a run makes it: the image resized to the configured square with its
/// boxes or polygons, and flipped or cropped with them.
struct DenseExamplesTests {
    /// A 16 × 8 image in a blob store, and a configuration of 32-pixel squares.
    static func setup(crop: Bool = false) throws -> (BlobStore, BlobID, ExperimentConfig, TemporaryDirectory) {
        let directory = try TemporaryDirectory("quarry-dense")
        let blobs = try LocalBlobStore(root: "\(directory.path)/blobs")
        let blob = try blobs.put(try TestImages.png(3, width: 16, height: 8))
        var config = ExperimentConfig(name: "dense")
        config.imageSize = 32
        config.augmentations.horizontalFlip = true
        config.augmentations.randomResizedCrop = crop
        return (blobs, blob, config, directory)
    }

    @Test func boxesScaleWithTheImageAndMirrorWithIt() throws {
        let (blobs, blob, config, directory) = try Self.setup()
        defer { directory.remove() }
        let item = DetectionData.Item(imageID: 1, blob: blob, width: 16, height: 8,
                                      boxes: [LabeledBox(classIndex: 0, x1: 2, y1: 1, x2: 6, y2: 5)])
        let plain = try DetectionData.example(item, blobs: blobs, config: config, training: false, seed: 0)
        #expect(plain.label == [LabeledBox(classIndex: 0, x1: 4, y1: 4, x2: 12, y2: 20)])
        var flips = 0
        for seed in 0..<16 as Range<UInt64> {
            let example = try DetectionData.example(item, blobs: blobs, config: config, training: true, seed: seed)
            if example.label == plain.label {
                #expect(example.image == plain.image)
                continue
            }
            flips += 1
            #expect(example.label == [LabeledBox(classIndex: 0, x1: 20, y1: 4, x2: 28, y2: 20)])
            // The pixels mirror too: row r, column c of each channel is the plain image's column 31 − c.
            let mirrored = (0..<3 * 32 * 32).map { (index: Int) -> Float in plain.image[index / 32 * 32 + 31 - index % 32] }
            #expect(example.image == mirrored)
        }
        #expect((1..<16).contains(flips), "\(flips) of 16 seeds flipped")
    }

    @Test func croppedBoxesAreClippedToTheCropAndKeptWhileTheirCenterIsIn() throws {
        let (blobs, blob, config, directory) = try Self.setup(crop: true)
        defer { directory.remove() }
        let item = DetectionData.Item(imageID: 1, blob: blob, width: 16, height: 8,
                                      boxes: [LabeledBox(classIndex: 1, x1: 0, y1: 0, x2: 9, y2: 7), LabeledBox(classIndex: 0, x1: 11, y1: 2, x2: 15, y2: 6)])
        var kept = 0
        for seed in 0..<32 as Range<UInt64> {
            let example = try DetectionData.example(item, blobs: blobs, config: config, training: true, seed: seed)
            for box in example.label {
                #expect(box.x1 >= 0 && box.y1 >= 0 && box.x2 <= 32 && box.y2 <= 32 && box.area > 0, "seed \(seed): \(box)")
            }
            kept += example.label.count
        }
        #expect(kept > 0 && kept < 64, "\(kept) of 64 boxes kept over 32 crops")
    }

    @Test func polygonsBecomeTheMaskAtTheModelsStrideAndMirrorWithTheImage() throws {
        let (blobs, blob, config, directory) = try Self.setup()
        defer { directory.remove() }
        // A square covering columns 2 to 6 and rows 1 to 5 of the 16 × 8 image: at 32 pixels, stride 4, the
        // mask is 8 × 8 with columns 1 to 2 and rows 1 to 4 set (cell centers 6 and 10 across, 6 to 18 down).
        let item = SegmentationData.Item(imageID: 1, blob: blob, width: 16, height: 8,
                                         polygons: [ShapeData.Polygon(classIndex: 1, points: [[2, 1], [6, 1], [6, 5], [2, 5]])])
        let plain = try SegmentationData.example(item, blobs: blobs, config: config, stride: 4, training: false, seed: 0)
        let expected = (0..<64).map { (cell: Int) -> UInt8 in (1...2).contains(cell % 8) && (1...4).contains(cell / 8) ? 2 : 0 }
        #expect(plain.label == expected)
        #expect(SegmentationData.truth(item, width: 16, height: 8).filter { $0 == 2 }.count == 16)
        var flips = 0
        for seed in 0..<16 as Range<UInt64> {
            let example = try SegmentationData.example(item, blobs: blobs, config: config, stride: 4, training: true, seed: seed)
            guard example.label != plain.label else { continue }
            flips += 1
            let mirrored = (0..<64).map { (cell: Int) -> UInt8 in expected[cell / 8 * 8 + 7 - cell % 8] }
            #expect(example.label == mirrored)
        }
        #expect((1..<16).contains(flips), "\(flips) of 16 seeds flipped")
    }
}

import Foundation
@testable import Quarry
import Testing

/// `ClassMask`: a class per pixel as runs of (class, length), row-major, decoded back to the same pixels;
/// runs that do not make the mask are refused; an evaluation result kept before masks were still reads.
@Suite struct ClassMaskTests {
    @Test func theDocumentedExampleIsItsRuns() {
        let mask = ClassMask(pixels: [0, 0, 0, 0, 2, 2, 2, 0], width: 4, height: 2, classes: ["background", "cat", "dog"])
        #expect(mask.counts == [0, 4, 2, 3, 0, 1])
        #expect(mask.pixels == [0, 0, 0, 0, 2, 2, 2, 0])
    }

    @Test func masksOfAnySizeRoundTrip() throws {
        var random = SystemRandomNumberGenerator()
        for (width, height, classes) in [(0, 0, 1), (1, 1, 1), (7, 3, 2), (64, 48, 4), (5, 200, 256)] {
            // Blobs of a class rather than noise, as a segmenter's masks are, and a few single pixels.
            var pixels = (0..<width * height).map { UInt8(($0 % max(width, 1)) * classes / max(width, 1)) }
            for _ in 0..<(pixels.isEmpty ? 0 : 10) { pixels[Int.random(in: pixels.indices, using: &random)] = UInt8.random(in: 0...UInt8(classes - 1)) }
            let names = (0..<classes).map { $0 == 0 ? "background" : "class\($0)" }
            let mask = ClassMask(pixels: pixels, width: width, height: height, classes: names)
            #expect(mask.pixels == pixels, "\(width)×\(height)")
            #expect(mask.counts.count % 2 == 0 && stride(from: 1, to: mask.counts.count, by: 2).reduce(0) { $0 + mask.counts[$1] } == width * height)
            #expect(zip(mask.counts.enumerated().filter { $0.offset % 2 == 0 }.map(\.element),
                        mask.counts.enumerated().filter { $0.offset % 2 == 0 }.map(\.element).dropFirst()).allSatisfy { $0 != $1 },
                    "neighbouring runs differ in class")
            let decoded = try JSONDecoder().decode(ClassMask.self, from: try JSONEncoder().encode(mask))
            #expect(decoded == mask && decoded.pixels == pixels)
        }
    }

    @Test func runsThatDoNotMakeTheMaskAreRefused() {
        let classes = ["background", "cat"]
        for counts in [[0, 3], [0, 4, 1], [0, 2, 2, 2], [0, 0, 1, 4], [0, 5], [0, -1, 1, 5], [1, 2, 0, 1, 1, 2]] {
            let json = #"{"width": 2, "height": 2, "classes": ["background", "cat"], "counts": \#(counts)}"#
            let mask = try? JSONDecoder().decode(ClassMask.self, from: Data(json.utf8))
            #expect(mask != nil && mask?.pixels == nil, "\(counts)")
        }
        #expect(ClassMask(pixels: [1, 0, 0, 1], width: 2, height: 2, classes: classes).pixels == [1, 0, 0, 1])
    }

    @Test func aLargeImagesMasksAreKeptScaledToFit() {
        #expect(ClassMask.size(width: 100, height: 50) == (100, 50))
        #expect(ClassMask.size(width: 512, height: 512) == (512, 512))
        #expect(ClassMask.size(width: 1024, height: 768) == (512, 384))
        #expect(ClassMask.size(width: 600, height: 4000) == (77, 512))
        #expect(ClassMask.size(width: 65_535, height: 3) == (512, 1))
    }

    @Test func aResultKeptBeforeMasksReadsWithoutThem() throws {
        let old = try JSONDecoder().decode(ResultDetails.self, from: Data(#"{"iou": 0.75, "class_iou": {"background": 0.5, "cat": 1}}"#.utf8))
        guard case .segmentation(let segmentation) = old else { Issue.record("not a segmentation: \(old)"); return }
        #expect(segmentation.iou == 0.75 && segmentation.classIoU == ["background": 0.5, "cat": 1])
        #expect(segmentation.mask == nil && segmentation.truthMask == nil)
        #expect(String(decoding: try JSONEncoder().encode(old), as: UTF8.self).contains("mask") == false)

        let classes = ["background", "cat"]
        let kept = ImageSegmentation(truth: [0, 1, 1, 0], prediction: [0, 1, 0, 0], classes: classes,
                                     mask: ClassMask(pixels: [0, 1, 0, 0], width: 2, height: 2, classes: classes),
                                     truthMask: ClassMask(pixels: [0, 1, 1, 0], width: 2, height: 2, classes: classes))
        let json = try JSONEncoder().encode(ResultDetails.segmentation(kept))
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(Set(object.keys) == ["iou", "class_iou", "mask", "truth_mask"])
        #expect(try JSONDecoder().decode(ResultDetails.self, from: json) == .segmentation(kept))
    }
}

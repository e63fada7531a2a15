import Crypto
import Foundation
import Imaging

/// What an import does to each file of a ZIP of YCbCr JPEGs, minus the disk and the database: read
/// the entry, probe, decode, resize and encode the thumbnail plane by plane (as `Thumbnail.make`),
/// hash. One thread, so that the per-stage times describe one core's share of the work.
enum ThumbnailBench {
    static func run(archive: String, repeats: Int) throws {
        let reader = try ZipReader(path: archive)
        let files = reader.entries.indices.filter { !reader.entries[$0].isDirectory }
        var stages = [Double](repeating: 0, count: 5)
        var clock = Date()
        func lap(_ stage: Int) {
            let now = Date()
            stages[stage] += now.timeIntervalSince(clock)
            clock = now
        }
        let started = Date()
        for _ in 0..<repeats {
            for index in files {
                clock = Date()
                let bytes = try reader.data(of: index)
                let info = try ImageProbe.probe(bytes)
                lap(0)
                // About the shorter side Thumbnail.make asks the decoder for (it rounds; 320×240 gives 192 either way).
                let shortSide = min(info.width, info.height) * Thumbnail.longSide / max(info.width, info.height)
                let planes = try ImageDecoder.jpegPlanes(bytes, atLeast: shortSide)!
                lap(1)
                let small = Thumbnail.shrink(planes)
                lap(2)
                _ = try ImageEncoder.jpeg(planes: small, quality: 80)
                lap(3)
                _ = SHA256.hash(bytes)
                lap(4)
            }
        }
        let count = Double(files.count * repeats)
        let perImage = zip(["read+probe", "decode", "resize", "encode", "sha256"], stages)
            .map { "\($0) \(String(format: "%.3f", $1 / count * 1e3)) ms" }
        print(perImage.joined(separator: ", "))
        print("thumbnails images/s \(count / Date().timeIntervalSince(started))")
    }
}

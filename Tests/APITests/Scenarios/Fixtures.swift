import Foundation
import Imaging
import QuarryTesting

/// The smallest files the scenarios need: images a few pixels wide, a PDF of a few bytes, and a ZIP of
/// two classes of them, so training, evaluation and export finish in moments.
enum Fixtures {
    static let pdf = Array("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".utf8)

    /// Bytes that are no image, under an image's name.
    static let notAnImage = Array("this is not a PNG".utf8)

    /// A PNG of one colour.
    static func png(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        let pixels = (0..<width * height).flatMap { _ in rgb }
        // Encoding a bitmap we just built cannot fail; a failure here is a broken test setup.
        return try! ImageEncoder.png(Bitmap(width: width, height: height, channels: 3, pixels: pixels))
    }

    static let red = png(width: 8, height: 8, rgb: [200, 30, 30])

    /// Images of `red` and `blue`, each a shade apart so none is a duplicate of another.
    static func colourImages(perClass: Int) -> [(path: String, bytes: [UInt8])] {
        (0..<perClass).flatMap { index in
            let shade = UInt8(index * 5)
            return [("red/\(index).png", png(width: 8, height: 8, rgb: [200 &+ shade, 30, 30])),
                    ("blue/\(index).png", png(width: 8, height: 8, rgb: [30, 30, 200 &+ shade]))]
        }
    }

    /// A ZIP in the ImageNet layout (`red/0.png`, `blue/0.png`, ...): the folders become the classes.
    static let colours = zip(colourImages(perClass: 6))

    static func zip(_ entries: [(path: String, bytes: [UInt8])]) -> [UInt8] {
        do {
            let directory = try TemporaryDirectory("quarry-zip")
            defer { directory.remove() }
            let path = "\(directory.path)/fixture.zip"
            let writer = try ZipWriter(path: path)
            for entry in entries { try writer.add(name: entry.path, bytes: entry.bytes, compress: false) }
            try writer.finish()
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("could not build the fixture ZIP: \(error)")
        }
    }

    /// A folder for local imports: `colours/red/*.png`, `colours/blue/*.png`, and a file beside them.
    static func importRoot(in directory: TemporaryDirectory) throws -> String {
        let root = "\(directory.path)/import-root"
        for (path, bytes) in colourImages(perClass: 2) {
            let url = URL(fileURLWithPath: "\(root)/colours/\(path)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: "\(root)/notes.txt"))
        // The server compares resolved paths with its root, so the root it is given must be resolved too.
        return URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    }
}

import Foundation
import Imaging

/// Which files of an import are images and what each is labeled, by the layout the files are in
/// (a single folder wrapping everything is looked through first):
///
/// - **COCO**: a `.json` file at the top with `images`, `annotations` and `categories`. Boxes become
///   `bounding_box` labels and polygon segmentations `polygon` labels; crowd (RLE) masks are skipped.
///   Images are matched by `file_name`, as a path below the JSON's folder or by their base name.
/// - **YOLO**: `images/` and `labels/` folders; `labels/x.txt` labels `images/x.jpg`. Lines of five
///   numbers are boxes (`class cx cy w h`, normalized), longer ones polygons (`class x1 y1 x2 y2 …`).
///   Class names come from `data.yaml` (`names`), `classes.txt` or `obj.names`, else the index.
/// - **ImageNet** otherwise: the folder below the top is the image's class (`cat/1.jpg`).
enum ImportLayout {
    static func candidates(_ files: [ImportSource.File]) -> ([ImportSource.Candidate], [ImportJob.Skipped]) {
        let prefix = wrapper(files.map(\.name))
        let relative = files.map { (file: $0, path: String($0.name.dropFirst(prefix.count))) }
        if let coco = relative.first(where: { !$0.path.contains("/") && $0.path.lowercased().hasSuffix(".json") }) {
            return COCOLayout.candidates(relative, annotations: coco)
        }
        if relative.contains(where: { $0.path.hasPrefix("labels/") }) && relative.contains(where: { $0.path.hasPrefix("images/") }) {
            return YOLOLayout.candidates(relative)
        }
        let candidates = relative.map { entry in
            let components = entry.path.split(separator: "/")
            return ImportSource.Candidate(name: entry.file.name, className: components.count > 1 ? String(components[0]) : nil,
                                          read: entry.file.read)
        }
        return (candidates, [])
    }

    /// The folders every file sits in (`dataset/` for `dataset/cat/1.jpg`, `dataset/dog/2.jpg`), with the slash.
    static func wrapper(_ names: [String]) -> String {
        let parts = names.map { $0.split(separator: "/").map(String.init) }
        var depth = 0
        while let first = parts.first, first.count > depth + 1,
              parts.allSatisfy({ $0.count > depth + 1 && $0[depth] == first[depth] }) {
            depth += 1
        }
        return parts.first.map { $0.prefix(depth).map { $0 + "/" }.joined() } ?? ""
    }

    static func isImageName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return [".jpg", ".jpeg", ".png"].contains { lower.hasSuffix($0) }
    }
}

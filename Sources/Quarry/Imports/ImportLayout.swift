import Foundation
import Imaging

/// Which files of an import are images and what each is labeled, by the layout the files are in
/// (a single folder wrapping everything is looked through first). The client may name the layout
/// (`ImportFormat`); otherwise the first that fits, in this order:
///
/// - **COCO**: a `.json` file at the top with `images`, `annotations` and `categories`. Boxes become
///   `bounding_box` labels and polygon segmentations `polygon` labels; crowd (RLE) masks are skipped.
///   Images are matched by `file_name`, as a path below the JSON's folder or by their base name.
/// - **YOLO**: `images/` and `labels/` folders; `labels/x.txt` labels `images/x.jpg`. Lines of five
///   numbers are boxes (`class cx cy w h`, normalized), longer ones polygons (`class x1 y1 x2 y2 …`).
///   Class names come from `data.yaml` (`names`), `classes.txt` or `obj.names`, else the index.
/// - **CSV**: a `.csv` file at the top naming each image's class (`CSVLayout`).
/// - **Folder** (ImageNet's) otherwise: the folder below the top is the image's class (`cat/1.jpg`).
enum ImportLayout {
    static func candidates(_ files: [ImportSource.File], format: ImportFormat?) throws(ImportError)
        -> ([ImportSource.Candidate], [ImportJob.Skipped]) {
        let prefix = wrapper(files.map(\.name))
        let relative = files.map { (file: $0, path: String($0.name.dropFirst(prefix.count))) }
        let top = { (suffix: String) in relative.first { !$0.path.contains("/") && $0.path.lowercased().hasSuffix(suffix) } }
        let isYOLO = relative.contains { $0.path.hasPrefix("labels/") } && relative.contains { $0.path.hasPrefix("images/") }
        let table = top(".csv").flatMap { csv in CSVLayout.classes(in: csv.file) }
        switch format {
        case .coco?, nil where top(".json") != nil:
            guard let json = top(".json") else { throw .formatMismatch(.coco, "no annotations .json file at the top") }
            return COCOLayout.candidates(relative, annotations: json)
        case .yolo?, nil where isYOLO:
            guard isYOLO else { throw .formatMismatch(.yolo, "no images/ and labels/ folders") }
            return YOLOLayout.candidates(relative)
        case .csv?, nil where table != nil:
            guard let table else {
                throw .formatMismatch(.csv, "no .csv file at the top with a header naming a file column (\(CSVLayout.fileColumns.joined(separator: ", "))) and a class column (\(CSVLayout.classColumns.joined(separator: ", ")))")
            }
            return (CSVLayout.candidates(relative, classes: table), [])
        case .folder?, nil:
            let candidates = relative.map { entry in
                let components = entry.path.split(separator: "/")
                return ImportSource.Candidate(name: entry.file.name, className: components.count > 1 ? String(components[0]) : nil,
                                              read: entry.file.read)
            }
            return (candidates, [])
        }
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

import Foundation
import Imaging

/// Reads a COCO annotations file into per-image labels (see `ImportLayout`).
enum COCOLayout {
    private struct Document: Decodable {
        struct Image: Decodable {
            let id: Int
            let file_name: String
        }

        struct Annotation: Decodable {
            let image_id: Int
            let category_id: Int
            let bbox: [Double]?
            let segmentation: Segmentation?
            let iscrowd: Int?
        }

        /// Polygons (`[[x1, y1, …], …]`) or a crowd mask (RLE, an object), which is not imported.
        enum Segmentation: Decodable {
            case polygons([[Double]])
            case mask

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                self = (try? container.decode([[Double]].self)).map(Segmentation.polygons) ?? .mask
            }
        }

        struct Category: Decodable {
            let id: Int
            let name: String
        }

        let images: [Image]
        let annotations: [Annotation]
        let categories: [Category]
    }

    static func candidates(_ files: [(file: ImportSource.File, path: String)],
                           annotations json: (file: ImportSource.File, path: String)) -> ([ImportSource.Candidate], [ImportJob.Skipped]) {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(try json.file.read()))
        } catch {
            // Not COCO after all: the images still import, unlabeled, and the file is reported.
            let plain = files.filter { ImportLayout.isImageName($0.path) }.map {
                ImportSource.Candidate(name: $0.file.name, className: nil, read: $0.file.read)
            }
            return (plain, [.init(name: json.file.name, reason: "not a COCO annotations file")])
        }
        let names = Dictionary(document.categories.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        var labels: [Int: [Label]] = [:]
        for annotation in document.annotations where annotation.iscrowd != 1 {
            guard let name = names[annotation.category_id] else { continue }
            if case .polygons(let polygons) = annotation.segmentation, !polygons.isEmpty {
                for polygon in polygons where polygon.count >= 6 && polygon.count % 2 == 0 {
                    let points = stride(from: 0, to: polygon.count, by: 2).map { [polygon[$0], polygon[$0 + 1]] }
                    labels[annotation.image_id, default: []].append(.polygon(name, points))
                }
            } else if let box = annotation.bbox, box.count == 4 {
                labels[annotation.image_id, default: []].append(.box(name, x: box[0], y: box[1], width: box[2], height: box[3]))
            }
        }
        var byPath: [String: [Label]] = [:]
        var byBaseName: [String: [Label]] = [:]
        for image in document.images {
            let found = labels[image.id] ?? []
            byPath[image.file_name] = found
            byBaseName[(image.file_name as NSString).lastPathComponent] = found
        }
        let candidates = files.filter { ImportLayout.isImageName($0.path) }.map { entry in
            let found = byPath[entry.path] ?? byPath[String(entry.path.drop { $0 != "/" }.dropFirst())]
                ?? byBaseName[(entry.path as NSString).lastPathComponent] ?? []
            return ImportSource.Candidate(name: entry.file.name, className: nil, read: entry.file.read, labels: { _ in found })
        }
        return (candidates, [])
    }
}

import Foundation
import Imaging

/// Reads YOLO label files into per-image labels (see `ImportLayout`).
enum YOLOLayout {
    static func candidates(_ files: [(file: ImportSource.File, path: String)]) -> ([ImportSource.Candidate], [ImportJob.Skipped]) {
        let names = classNames(files)
        var labelFiles: [String: ImportSource.File] = [:]
        for entry in files where entry.path.hasPrefix("labels/") && entry.path.hasSuffix(".txt") {
            labelFiles[String(entry.path.dropFirst("labels/".count).dropLast(".txt".count))] = entry.file
        }
        let candidates = files.filter { $0.path.hasPrefix("images/") && ImportLayout.isImageName($0.path) }.map { entry in
            let stem = (String(entry.path.dropFirst("images/".count)) as NSString).deletingPathExtension
            let lines = (try? labelFiles[stem]?.read()).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return ImportSource.Candidate(name: entry.file.name, className: nil, read: entry.file.read) { info in
                labels(lines, names: names, width: Double(info.width), height: Double(info.height))
            }
        }
        return (candidates, [])
    }

    /// Boxes and polygons in pixels; malformed lines are left out.
    static func labels(_ text: String, names: [String], width: Double, height: Double) -> [Label] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let numbers = line.split(separator: " ").compactMap { Double($0) }
            guard numbers.count >= 5, let index = Int(exactly: numbers[0]), index >= 0 else { return nil }
            let name = index < names.count ? names[index] : String(index)
            let values = Array(numbers.dropFirst())
            if values.count == 4 {
                let (w, h) = (values[2] * width, values[3] * height)
                return .box(name, x: values[0] * width - w / 2, y: values[1] * height - h / 2, width: w, height: h)
            }
            guard values.count >= 6, values.count % 2 == 0 else { return nil }
            return .polygon(name, stride(from: 0, to: values.count, by: 2).map { [values[$0] * width, values[$0 + 1] * height] })
        }
    }

    /// From `data.yaml` (`names: [a, b]`, a list of `- a`, or `0: a` lines), `classes.txt` or `obj.names`.
    static func classNames(_ files: [(file: ImportSource.File, path: String)]) -> [String] {
        if let yaml = files.first(where: { $0.path == "data.yaml" || $0.path == "dataset.yaml" }),
           let text = (try? yaml.file.read()).map({ String(decoding: $0, as: UTF8.self) }) {
            return yamlNames(text)
        }
        if let list = files.first(where: { $0.path == "classes.txt" || $0.path == "obj.names" }),
           let text = (try? list.file.read()).map({ String(decoding: $0, as: UTF8.self) }) {
            return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return []
    }

    static func yamlNames(_ text: String) -> [String] {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("names:") }) else { return [] }
        let inline = lines[start].dropFirst("names:".count).trimmingCharacters(in: .whitespaces)
        if inline.hasPrefix("[") {
            return inline.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").map(unquote)
        }
        var names: [String] = []
        for line in lines[(start + 1)...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix(" ") || line.hasPrefix("\t") || trimmed.hasPrefix("-") else { break }
            if trimmed.hasPrefix("-") {
                names.append(unquote(trimmed.dropFirst()))
            } else if let colon = trimmed.firstIndex(of: ":") {
                names.append(unquote(trimmed[trimmed.index(after: colon)...]))
            }
        }
        return names
    }

    private static func unquote(_ text: Substring) -> String {
        text.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
    }
}

import Foundation

/// A CSV file at the top naming each image's class: a header row with a file column (`filename`,
/// `file_name`, `file`, `image`, `image_path` or `path`) and a class column (`label`, `class`,
/// `class_name` or `category`), case ignored. A file is matched by its path below the top, else by its
/// base name; an empty class, or an image the table does not name, imports without a class.
enum CSVLayout {
    static let fileColumns = ["filename", "file_name", "file", "image", "image_path", "path"]
    static let classColumns = ["label", "class", "class_name", "category"]

    /// The table's classes by file, or nil when the file has no header naming both columns.
    static func classes(in table: ImportSource.File) -> [String: String]? {
        guard let bytes = try? table.read(), let text = String(bytes: bytes, encoding: .utf8) else { return nil }
        var rows = CSVTable.rows(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard !rows.isEmpty else { return nil }
        let header = rows.removeFirst().map { $0.lowercased() }
        guard let file = fileColumns.lazy.compactMap(header.firstIndex).first,
              let label = classColumns.lazy.compactMap(header.firstIndex).first else { return nil }
        var classes: [String: String] = [:]
        for row in rows where row.count > max(file, label) && !row[file].isEmpty {
            classes[row[file]] = row[label]
        }
        return classes
    }

    static func candidates(_ files: [(file: ImportSource.File, path: String)], classes: [String: String]) -> [ImportSource.Candidate] {
        let byBaseName = Dictionary(classes.map { (($0.key as NSString).lastPathComponent, $0.value) }, uniquingKeysWith: { first, _ in first })
        return files.filter { ImportLayout.isImageName($0.path) }.map { entry in
            let className = classes[entry.path] ?? byBaseName[(entry.path as NSString).lastPathComponent]
            return ImportSource.Candidate(name: entry.file.name, className: className.flatMap { $0.isEmpty ? nil : $0 }, read: entry.file.read)
        }
    }
}

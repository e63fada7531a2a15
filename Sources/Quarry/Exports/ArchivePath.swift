/// Paths inside the export archive. Every annotation file's path derives from its image's
/// `archivePath` alone, so the writers inherit the caller's guarantee that it is safe.
enum ArchivePath {
    /// Relative, and never climbing out of the archive: no leading `/`, no `..` component.
    static func isSafe(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/").contains("..")
    }

    /// The last path component: `images/a/x.png` → `x.png`.
    static func fileName(of path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    /// Everything before the last component: `images/a/x.png` → `images/a`; empty at the top level.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// The path with its image directory swapped for `directory` and without the file extension:
    /// `images/a/x.png` in `labels` → `labels/a/x`, and `other/x.png` → `labels/other/x`. A name
    /// that only starts with a dot (`.x`) has no extension.
    static func annotationBase(for imagePath: String, in directory: String) -> String {
        let relative = imagePath.hasPrefix("images/") ? imagePath.dropFirst("images/".count) : Substring(imagePath)
        let nameStart = relative.lastIndex(of: "/").map(relative.index(after:)) ?? relative.startIndex
        var stem = relative
        if let dot = relative.lastIndex(of: "."), dot > nameStart {
            stem = relative[..<dot]
        }
        return directory + "/" + stem
    }
}

/// Hands out annotation file paths that are unique within one archive. Images whose paths differ
/// only by extension (`x.png`, `x.jpg`) would share `x.txt`; the later ones get `x-2.txt`,
/// `x-3.txt`, in document order. Quarry's archive paths start with the image id, so in practice
/// every image keeps the conventional name.
struct AnnotationPaths {
    private var taken: Set<String> = []

    mutating func claim(base: String, extension fileExtension: String) -> String {
        var candidate = base + "." + fileExtension
        var suffix = 2
        while taken.contains(candidate) {
            candidate = base + "-\(suffix)." + fileExtension
            suffix += 1
        }
        taken.insert(candidate)
        return candidate
    }
}

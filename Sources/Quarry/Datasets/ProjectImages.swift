import Storage

/// The Studio's view of a project's images: one dataset per project, the union of the project's
/// datasets (JTheta uploads, HITL job images, imports), each image with its class.
public struct ProjectImages: Sendable {
    let database: any Database

    public struct Stats: Sendable {
        public struct ClassCount: Sendable {
            public let name: String
            public let count: Int
        }

        public struct Part: Sendable {
            public let id: Int
            public let name: String
            public let imageCount: Int
        }

        public let projectID: String
        public let imageCount: Int
        /// Images without a class, what a classifier cannot train on.
        public let unlabeled: Int
        /// Images with a class or in an approved task: labeled for any task, a detector's or a segmenter's
        /// included (an image approved with no boxes is known to hold none).
        public let labeled: Int
        public let sizeBytes: Int
        public let classes: [ClassCount]
        public let datasets: [Part]
    }

    public struct Query: Sendable {
        public enum Sort: String, Sendable, CaseIterable {
            case filename
            case `class`
            case size
        }

        public var page = 1
        public var pageSize = 50
        public var sort = Sort.filename
        public var descending = false
        public var filterClass: String?
        public var search: String?

        public static let maxPageSize = 500

        public init() {}
    }

    public struct Entry: Sendable {
        public let image: ImageRecord
        public let className: String?

        /// How the Studio names the image in paths: unique in the project, readable, and safe.
        public var filename: String { String(ExportCollector.archivePath(image).dropFirst("images/".count)) }
    }

    public func stats(accountID: String, projectID: String) throws -> Stats {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let parts = try DatasetStore.list(projectID: project.id, on: db)
            var classes: [Stats.ClassCount] = []
            var unlabeled = 0
            for row in try db.query("""
                SELECT i.class_name, COUNT(*) AS n FROM images i JOIN datasets d ON d.id = i.dataset_id
                WHERE d.project_id = ? GROUP BY i.class_name ORDER BY i.class_name NULLS FIRST
                """, [project.id]) {
                if let name = try row.optionalString("class_name") {
                    classes.append(Stats.ClassCount(name: name, count: try row.int("n")))
                } else {
                    unlabeled = try row.int("n")
                }
            }
            let size = try db.scalar("""
                SELECT COALESCE(SUM(i.size), 0) FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ?
                """, [project.id])
            let labeled = try db.scalar("""
                SELECT COUNT(*) FROM images i JOIN datasets d ON d.id = i.dataset_id
                WHERE d.project_id = ? AND (i.class_name IS NOT NULL OR EXISTS (
                    SELECT 1 FROM task_images ti JOIN tasks t ON t.id = ti.task_id WHERE ti.image_id = i.id AND t.status = ?))
                """, [project.id, TaskStatus.done.rawValue])
            return Stats(projectID: project.id, imageCount: parts.reduce(0) { $0 + $1.imageCount }, unlabeled: unlabeled,
                         labeled: labeled.intValue, sizeBytes: size.intValue, classes: classes,
                         datasets: parts.map { Stats.Part(id: $0.id, name: $0.name, imageCount: $0.imageCount) })
        }
    }

    /// One page of images and the total matching the filters.
    public func page(accountID: String, projectID: String, query: Query) throws -> (entries: [Entry], total: Int) {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            var conditions = ["d.project_id = ?"]
            var arguments: [any SQLConvertible] = [project.id]
            if let filterClass = query.filterClass {
                conditions.append("i.class_name = ?")
                arguments.append(filterClass)
            }
            if let search = query.search, !search.isEmpty {
                // Ignoring ASCII case, as SQLite's LIKE does and PostgreSQL's does not.
                conditions.append("lower(i.file_name) LIKE lower(?) ESCAPE '\\'")
                arguments.append("%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%")
            }
            let filter = "FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE " + conditions.joined(separator: " AND ")
            let total = try db.scalar("SELECT COUNT(*) " + filter, arguments).intValue
            let column = switch query.sort {
            case .filename: "i.file_name"
            case .class: "i.class_name"
            case .size: "i.size"
            }
            let order = query.descending ? "DESC" : "ASC"
            // Images without a class sort first ascending and last descending, in either database.
            let nulls = query.descending ? "NULLS LAST" : "NULLS FIRST"
            let rows = try db.query("SELECT \(DatasetStore.imageColumns), i.class_name \(filter) ORDER BY \(column) \(order) \(nulls), i.id \(order) LIMIT ? OFFSET ?",
                                    arguments + [query.pageSize, (query.page - 1) * query.pageSize])
            return (try rows.map { Entry(image: try DatasetStore.image($0), className: try $0.optionalString("class_name")) }, total)
        }
    }

    /// The image a Studio filename names (`<id>_<name>`), or else the one image of the project with that
    /// original name (as a client that imported `cat/1.png` asks for `1.png`); several with it are ambiguous.
    public func entry(accountID: String, projectID: String, filename: String) throws -> Entry {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let select = "SELECT \(DatasetStore.imageColumns), i.class_name FROM images i JOIN datasets d ON d.id = i.dataset_id"
            if let id = Int(filename.prefix { $0.isNumber }),
               let row = try db.queryOne("\(select) WHERE i.id = ? AND d.project_id = ?", [id, project.id]),
               case let entry = Entry(image: try DatasetStore.image(row), className: try row.optionalString("class_name")),
               entry.filename == filename {
                return entry
            }
            let named = try db.query("\(select) WHERE i.file_name = ? AND d.project_id = ? ORDER BY i.id LIMIT 11", [filename, project.id])
                .map { Entry(image: try DatasetStore.image($0), className: try $0.optionalString("class_name")) }
            guard let only = named.first else { throw DatasetError.imageNotFound(filename) }
            guard named.count == 1 else { throw DatasetError.ambiguousImage(filename, candidates: named.prefix(10).map(\.filename)) }
            return only
        }
    }

    /// Removes every image of the project (and the tasks over them); the datasets stay, empty.
    public func clear(accountID: String, projectID: String) throws -> Int {
        try database.write { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            try db.run("""
                DELETE FROM tasks WHERE id IN (SELECT ti.task_id FROM task_images ti JOIN images i ON i.id = ti.image_id
                JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ?)
                """, [project.id])
            return try db.run("DELETE FROM images WHERE dataset_id IN (SELECT id FROM datasets WHERE project_id = ?)", [project.id])
        }
    }

}

extension SQLValue {
    /// An integer column's value, 0 for anything else (COUNT and SUM never give NULL here).
    var intValue: Int {
        if case .integer(let value) = self { return Int(value) }
        return 0
    }
}

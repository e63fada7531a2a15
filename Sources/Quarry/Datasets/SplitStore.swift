import Foundation
import Storage

/// The `splits` and `split_assignments` tables: a split's row and the subset of every image it assigned,
/// numbered per project from 0 with no gaps.
enum SplitStore {
    static func count(projectID: String, on db: any Connection) throws -> Int {
        try db.scalar("SELECT COUNT(*) FROM splits WHERE project_id = ?", [projectID]).intValue
    }

    static func exists(projectID: String, position: Int, on db: any Connection) throws -> Bool {
        try db.queryOne("SELECT 1 FROM splits WHERE project_id = ? AND position = ?", [projectID, position]) != nil
    }

    /// A new split at the next position, with its assignment (image id → subset); its position.
    static func insert(projectID: String, name: String, seed: UInt64, ratios: [String: Double], assignment: [Int: String],
                       createdAt: String, on db: any Connection) throws -> Int {
        let position = try count(projectID: projectID, on: db)
        try db.run("INSERT INTO splits (project_id, position, name, seed, ratios, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                   [projectID, position, name, Int64(bitPattern: seed), String(decoding: try JSONEncoder().encode(ratios), as: UTF8.self),
                    createdAt])
        for (imageID, subset) in assignment.sorted(by: { $0.key < $1.key }) {
            try db.run("INSERT INTO split_assignments (project_id, position, image_id, subset) VALUES (?, ?, ?, ?)",
                       [projectID, position, imageID, subset])
        }
        return position
    }

    static func list(projectID: String, on db: any Connection) throws -> [SplitSummary] {
        try db.query("SELECT * FROM splits WHERE project_id = ? ORDER BY position", [projectID]).map { row in
            try summary(row, projectID: projectID, withClasses: false, on: db)
        }
    }

    /// The split at `position` with its per-class counts, if there is one.
    static func find(projectID: String, position: Int, on db: any Connection) throws -> SplitSummary? {
        try db.queryOne("SELECT * FROM splits WHERE project_id = ? AND position = ?", [projectID, position]).map { row in
            try summary(row, projectID: projectID, withClasses: true, on: db)
        }
    }

    /// Deletes the split at `position`, and later ones move down one; whether there was one.
    static func delete(projectID: String, position index: Int, on db: any Connection) throws -> Bool {
        guard try db.run("DELETE FROM splits WHERE project_id = ? AND position = ?", [projectID, index]) == 1 else { return false }
        let remaining = try count(projectID: projectID, on: db)
        // One row at a time, upwards, so no two splits ever share an index mid-update. Before the
        // delete the highest index was `remaining`.
        var position = index + 1
        while position <= remaining {
            try db.run("UPDATE splits SET position = ? WHERE project_id = ? AND position = ?", [position - 1, projectID, position])
            position += 1
        }
        return true
    }

    /// The project's image ids by class name (nil for unlabeled), what a split assigns.
    static func imagesByClass(projectID: String, on db: any Connection) throws -> [String?: [Int]] {
        var classes: [String?: [Int]] = [:]
        for row in try db.query("SELECT i.id, i.class_name FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ?",
                                [projectID]) {
            classes[try row.optionalString("class_name"), default: []].append(try row.int("id"))
        }
        return classes
    }

    /// For each of the project's splits in index order, the subset it put the image in (`none` when the
    /// image came after the split was made).
    static func memberships(projectID: String, imageID: Int, on db: any Connection) throws -> [SplitMembership] {
        try db.query("""
            SELECT s.position, s.name, COALESCE(a.subset, 'none') AS subset FROM splits s
            LEFT JOIN split_assignments a ON a.project_id = s.project_id AND a.position = s.position AND a.image_id = ?
            WHERE s.project_id = ? ORDER BY s.position
            """, [imageID, projectID]).map { row in
            SplitMembership(index: try row.int("position"), name: try row.string("name"), subset: try row.string("subset"))
        }
    }

    /// Every image a split put in `subset`, labeled or not, in image order.
    static func images(projectID: String, position: Int, subset: String, on db: any Connection) throws -> [ImageRecord] {
        try db.query("""
            SELECT i.* FROM split_assignments a JOIN images i ON i.id = a.image_id
            WHERE a.project_id = ? AND a.position = ? AND a.subset = ? ORDER BY i.id
            """, [projectID, position, subset]).map(DatasetStore.image)
    }

    /// The labeled images a split put in `subset`, in image order, with their class names.
    static func labeledImages(projectID: String, position: Int, subset: String? = nil, on db: any Connection) throws
        -> [(image: ImageRecord, subset: String, className: String)] {
        try db.query("""
            SELECT i.*, a.subset FROM split_assignments a JOIN images i ON i.id = a.image_id
            WHERE a.project_id = ? AND a.position = ? AND (CAST(? AS TEXT) IS NULL OR a.subset = ?) AND i.class_name IS NOT NULL
            ORDER BY i.id
            """, [projectID, position, subset, subset]).map { row in
            (try DatasetStore.image(row), try row.string("subset"), try row.string("class_name"))
        }
    }

    private static func summary(_ row: Row, projectID: String, withClasses: Bool, on db: any Connection) throws -> SplitSummary {
        let position = try row.int("position")
        var stats = Dictionary(uniqueKeysWithValues: (SplitPlanner.subsets + ["none"]).map { ($0, 0) })
        var classes: [String: [String: Int]] = [:]
        // Images added after the split was made are in no subset: "none".
        for entry in try db.query("""
            SELECT COALESCE(a.subset, 'none') AS subset, COALESCE(i.class_name, '') AS class, COUNT(*) AS n
            FROM images i JOIN datasets d ON d.id = i.dataset_id
            LEFT JOIN split_assignments a ON a.image_id = i.id AND a.project_id = ? AND a.position = ?
            WHERE d.project_id = ? GROUP BY 1, 2
            """, [projectID, position, projectID]) {
            let subset = try entry.string("subset")
            let count = try entry.int("n")
            stats[subset, default: 0] += count
            classes[try entry.string("class"), default: [:]][subset, default: 0] += count
        }
        let ratios = try JSONDecoder().decode([String: Double].self, from: Data(try row.string("ratios").utf8))
        return SplitSummary(index: position, name: try row.string("name"), seed: UInt64(bitPattern: Int64(try row.int("seed"))),
                            ratios: ratios, stats: stats, createdAt: try row.string("created_at"),
                            classes: withClasses ? classes : nil)
    }
}

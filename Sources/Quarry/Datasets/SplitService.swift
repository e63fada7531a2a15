import Foundation
import Storage

/// A saved split and its counts.
public struct SplitSummary: Sendable, Encodable {
    public let split_index: Int
    public let name: String
    public let seed: UInt64
    public let ratios: [String: Double]
    public let stats: [String: Int]
    public let created_at: String
    /// Per class (`null` key for unlabeled images appears as ""), the count in each subset; only in details.
    public var classes: [String: [String: Int]]?
}

/// Splits of a project's images, stored in SQLite: a split is written in one transaction, never half.
public struct SplitService: Sendable {
    let database: Database

    public func preview(accountID: String, projectID: String, planner: SplitPlanner) throws -> [String: Int] {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return Self.stats(planner.assign(try Self.classes(projectID: project.id, on: db)))
        }
    }

    public func create(accountID: String, projectID: String, name rawName: String, planner: SplitPlanner) throws -> SplitSummary {
        let name = try Validate.name(rawName, field: "name")
        return try database.write { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let assignment = planner.assign(try Self.classes(projectID: project.id, on: db))
            guard !assignment.isEmpty else { throw SplitError.noImages }
            let position = try db.scalar("SELECT COUNT(*) FROM splits WHERE project_id = ?", [project.id]).intValue
            let ratios = String(decoding: try JSONEncoder().encode(planner.ratios), as: UTF8.self)
            let now = Timestamp.now()
            try db.run("INSERT INTO splits (project_id, position, name, seed, ratios, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                       [project.id, position, name, Int64(bitPattern: planner.seed), ratios, now])
            for (imageID, subset) in assignment.sorted(by: { $0.key < $1.key }) {
                try db.run("INSERT INTO split_assignments (project_id, position, image_id, subset) VALUES (?, ?, ?, ?)",
                           [project.id, position, imageID, subset])
            }
            return SplitSummary(split_index: position, name: name, seed: planner.seed, ratios: planner.ratios,
                                stats: Self.stats(assignment), created_at: now)
        }
    }

    public func list(accountID: String, projectID: String) throws -> [SplitSummary] {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            return try db.query("SELECT * FROM splits WHERE project_id = ? ORDER BY position", [project.id]).map { row in
                try Self.summary(row, projectID: project.id, withClasses: false, on: db)
            }
        }
    }

    public func details(accountID: String, projectID: String, index: Int) throws -> SplitSummary {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            guard let row = try db.queryOne("SELECT * FROM splits WHERE project_id = ? AND position = ?", [project.id, index]) else {
                throw SplitError.notFound(index)
            }
            return try Self.summary(row, projectID: project.id, withClasses: true, on: db)
        }
    }

    /// Deletes a split; later ones move down one index, in the same transaction.
    public func delete(accountID: String, projectID: String, index: Int) throws {
        try database.write { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            guard try db.run("DELETE FROM splits WHERE project_id = ? AND position = ?", [project.id, index]) == 1 else {
                throw SplitError.notFound(index)
            }
            let remaining = try db.scalar("SELECT COUNT(*) FROM splits WHERE project_id = ?", [project.id]).intValue
            // One row at a time, upwards, so no two splits ever share an index mid-update. Before the
            // delete the highest index was `remaining`.
            var position = index + 1
            while position <= remaining {
                try db.run("UPDATE splits SET position = ? WHERE project_id = ? AND position = ?", [position - 1, project.id, position])
                position += 1
            }
        }
    }

    static func classes(projectID: String, on db: Connection) throws -> [String?: [Int]] {
        var classes: [String?: [Int]] = [:]
        for row in try db.query("SELECT i.id, i.class_name FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE d.project_id = ?",
                                [projectID]) {
            classes[try row.optionalString("class_name"), default: []].append(try row.int("id"))
        }
        return classes
    }

    static func stats(_ assignment: [Int: String]) -> [String: Int] {
        var stats = Dictionary(uniqueKeysWithValues: SplitPlanner.subsets.map { ($0, 0) })
        for subset in assignment.values { stats[subset, default: 0] += 1 }
        return stats
    }

    private static func summary(_ row: Row, projectID: String, withClasses: Bool, on db: Connection) throws -> SplitSummary {
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
        return SplitSummary(split_index: position, name: try row.string("name"), seed: UInt64(bitPattern: Int64(try row.int("seed"))),
                            ratios: ratios, stats: stats, created_at: try row.string("created_at"),
                            classes: withClasses ? classes : nil)
    }
}

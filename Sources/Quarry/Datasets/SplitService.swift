import Foundation
import Storage

/// A saved split and its counts.
public struct SplitSummary: Sendable {
    /// Its place among the project's splits, from 0.
    public let index: Int
    public let name: String
    public let seed: UInt64
    public let ratios: [String: Double]
    /// Images per subset ("none" for those added since).
    public let stats: [String: Int]
    public let createdAt: String
    /// Per class ("" for unlabeled images), the count in each subset; only in details.
    public var classes: [String: [String: Int]]?
}

/// What a split would make of a project's images now: images per subset, and per class (`""` for
/// unlabeled images) the count in each subset. Every subset and `none` (images left out) is named, 0 or not.
public struct SplitPreview: Sendable, Equatable {
    public let stats: [String: Int]
    public let classes: [String: [String: Int]]
}

/// Which subset of one split an image is in: `train`, `val`, `test`, or `none` for an image added since.
public struct SplitMembership: Sendable {
    public let index: Int
    public let name: String
    public let subset: String
}

/// Splits of a project's images (`SplitStore`): a split is written in one transaction, never half.
public struct SplitService: Sendable {
    let database: any Database

    public func preview(accountID: String, projectID: String, planner: SplitPlanner) throws -> SplitPreview {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let images = try SplitStore.imagesByClass(projectID: project.id, on: db)
            let assignment = planner.assign(images)
            // Refused as a split of no images is, so a client learns from the preview that it must import first.
            guard !assignment.isEmpty else { throw SplitError.noImages }
            let subsets = SplitPlanner.subsets + ["none"]
            var stats = Dictionary(uniqueKeysWithValues: subsets.map { ($0, 0) })
            var classes: [String: [String: Int]] = [:]
            for (className, ids) in images {
                var counts = Dictionary(uniqueKeysWithValues: subsets.map { ($0, 0) })
                for id in ids { counts[assignment[id] ?? "none", default: 0] += 1 }
                classes[className ?? ""] = counts
                stats.merge(counts, uniquingKeysWith: +)
            }
            return SplitPreview(stats: stats, classes: classes)
        }
    }

    public func create(accountID: String, projectID: String, name rawName: String, planner: SplitPlanner) throws -> SplitSummary {
        let name = try Validate.name(rawName, field: "name")
        return try database.write { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            let assignment = planner.assign(try SplitStore.imagesByClass(projectID: project.id, on: db))
            guard !assignment.isEmpty else { throw SplitError.noImages }
            let now = Timestamp.now()
            let position = try SplitStore.insert(projectID: project.id, name: name, seed: planner.seed, ratios: planner.ratios,
                                                 assignment: assignment, createdAt: now, on: db)
            return SplitSummary(index: position, name: name, seed: planner.seed, ratios: planner.ratios,
                                stats: Self.stats(assignment), createdAt: now)
        }
    }

    public func list(accountID: String, projectID: String) throws -> [SplitSummary] {
        try database.read { db in
            try SplitStore.list(projectID: try ProjectStore.owned(accountID: accountID, id: projectID, on: db).id, on: db)
        }
    }

    public func details(accountID: String, projectID: String, index: Int) throws -> SplitSummary {
        try database.read { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            guard let split = try SplitStore.find(projectID: project.id, position: index, on: db) else { throw SplitError.notFound(index) }
            return split
        }
    }

    /// An image's subset in each of its project's splits; the caller has already found the image in the project.
    public func memberships(projectID: String, imageID: Int) throws -> [SplitMembership] {
        try database.read { db in try SplitStore.memberships(projectID: projectID, imageID: imageID, on: db) }
    }

    /// Deletes a split; later ones move down one index, in the same transaction.
    public func delete(accountID: String, projectID: String, index: Int) throws {
        try database.write { db in
            let project = try ProjectStore.owned(accountID: accountID, id: projectID, on: db)
            guard try SplitStore.delete(projectID: project.id, position: index, on: db) else { throw SplitError.notFound(index) }
        }
    }

    static func stats(_ assignment: [Int: String]) -> [String: Int] {
        var stats = Dictionary(uniqueKeysWithValues: SplitPlanner.subsets.map { ($0, 0) })
        for subset in assignment.values { stats[subset, default: 0] += 1 }
        return stats
    }
}

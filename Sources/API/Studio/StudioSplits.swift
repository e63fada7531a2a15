import HTTP
import Quarry

/// `/api/splits/{project_id}`: deterministic, stratified train/val/test splits.
struct StudioSplits: Sendable {
    let services: Services

    func list(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(try services.splits.list(accountID: account.id, projectID: request.parameter("project_id") ?? "").map(SplitDocument.init))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let name: String
            let ratios: [String: Double]
            let seed: UInt64?
        }
        let body = try JSON.decode(Body.self, from: request)
        let planner = try SplitPlanner(ratios: body.ratios, seed: body.seed ?? 0)
        let split = try services.splits.create(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                               name: body.name, planner: planner)
        return Studio.ok(SplitDocument(split), status: .created)
    }

    /// `GET .../preview?train=0.8&val=0.1&test=0.1&seed=42`: the counts a split would have, not saved.
    func preview(_ request: Request, _ account: Account) throws -> Response {
        var ratios: [String: Double] = [:]
        for subset in SplitPlanner.subsets {
            guard let text = request.query[subset] else { continue }
            guard let value = Double(text) else { throw APIError.invalid(subset, "must be a number") }
            ratios[subset] = value
        }
        guard let seed = UInt64(request.query["seed"] ?? "0") else { throw APIError.invalid("seed", "must be a non-negative integer") }
        let planner = try SplitPlanner(ratios: ratios, seed: seed)
        struct Preview: Encodable {
            let stats: [String: Int]
            let class_distribution: [String: [String: Int]]
        }
        let preview = try services.splits.preview(accountID: account.id, projectID: request.parameter("project_id") ?? "", planner: planner)
        return Studio.ok(Preview(stats: preview.stats, class_distribution: preview.classes))
    }

    func details(_ request: Request, _ account: Account) throws -> Response {
        Studio.ok(SplitDocument(try services.splits.details(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                                            index: try Self.index(request))))
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        let index = try Self.index(request)
        try services.splits.delete(accountID: account.id, projectID: request.parameter("project_id") ?? "", index: index)
        return Studio.ok(["deleted_split_index": index])
    }

    private static func index(_ request: Request) throws -> Int {
        guard let index = request.parameter("split_index").flatMap(Int.init), index >= 0 else {
            throw APIError.invalid("split_index", "must be a non-negative integer")
        }
        return index
    }
}

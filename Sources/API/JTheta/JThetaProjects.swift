import HTTP
import Quarry

/// Key validation, projects, their status and deletion.
struct JThetaProjects: Sendable {
    let services: Services

    func validateKey(_ request: Request, _ account: Account) throws -> Response {
        struct Valid: Encodable {
            var valid = true
            let account: String
        }
        return JSON.response(Valid(account: account.name))
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable {
            let project_title: String
            let project_category: String?
        }
        let body = try JSON.decode(Body.self, from: request)
        let project = try services.projects.create(accountID: account.id, name: body.project_title, category: body.project_category ?? "")
        return JSON.response([
            "project_id": project.id, "project_title": project.name, "project_category": project.category, "created_at": project.createdAt,
        ], status: .created)
    }

    func delete(_ request: Request, _ account: Account) throws -> Response {
        struct Body: Decodable { let project_title: String }
        let body = try JSON.decode(Body.self, from: request)
        try services.projects.delete(accountID: account.id, name: body.project_title)
        // Images nothing else refers to are collected in the background; any still inside the grace period go in a later sweep.
        services.collectBlobsSoon()
        return JSON.response(["message": "project deleted", "project_title": body.project_title])
    }

    func status(_ request: Request, _ account: Account) throws -> Response {
        let title = request.parameter("project_title") ?? ""
        let progress = try services.labeling.progress(accountID: account.id, projectName: title)
        return JSON.response(StatusBody(progress))
    }

    private struct Counts: Encodable {
        let total_tasks: Int
        let completed_tasks: Int
        let percent_done: Double
        let status_counts: [String: Int]

        init(_ counts: ProjectProgress.Counts) {
            total_tasks = counts.total
            completed_tasks = counts.done
            percent_done = counts.percentDone
            status_counts = Dictionary(uniqueKeysWithValues: TaskStatus.allCases.map { ($0.rawValue, counts.byStatus[$0, default: 0]) })
        }
    }

    private struct StatusBody: Encodable {
        struct DatasetStatus: Encodable {
            let dataset_id: Int
            let dataset_name: String
            let progress: Counts

            func encode(to encoder: any Encoder) throws {
                try progress.encode(to: encoder)
                var container = encoder.container(keyedBy: JSONKey.self)
                try container.encode(dataset_id, forKey: JSONKey("dataset_id"))
                try container.encode(dataset_name, forKey: JSONKey("dataset_name"))
            }
        }

        struct AnnotatorStatus: Encodable {
            let annotator: String
            let progress: Counts

            func encode(to encoder: any Encoder) throws {
                try progress.encode(to: encoder)
                var container = encoder.container(keyedBy: JSONKey.self)
                try container.encode(annotator, forKey: JSONKey("annotator"))
            }
        }

        let project: Project
        let overall: Counts
        let datasets: [DatasetStatus]
        let annotators: [AnnotatorStatus]

        init(_ progress: ProjectProgress) {
            project = progress.project
            overall = Counts(progress.overall)
            datasets = progress.datasets.map { DatasetStatus(dataset_id: $0.id, dataset_name: $0.name, progress: Counts($0.counts)) }
            annotators = progress.annotators.map { AnnotatorStatus(annotator: $0.email, progress: Counts($0.counts)) }
        }

        func encode(to encoder: any Encoder) throws {
            try overall.encode(to: encoder)
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(project.id, forKey: JSONKey("project_id"))
            try container.encode(project.name, forKey: JSONKey("project_title"))
            try container.encode(datasets, forKey: JSONKey("datasets"))
            try container.encode(annotators, forKey: JSONKey("annotators"))
        }
    }
}

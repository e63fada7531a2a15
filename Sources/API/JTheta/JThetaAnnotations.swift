import HTTP
import Quarry

/// Annotation requests and the account's workers.
struct JThetaAnnotations: Sendable {
    let services: Services

    func request(_ request: Request, _ account: Account) throws -> Response {
        struct LabelBody: Decodable {
            let label: String
            let type: String
        }
        struct Body: Decodable {
            let dataset_id: Int
            let project_name: String
            let assigned_annotator: String
            let assigned_reviewer: String
            let labels: [LabelBody]?
            let allow_class_creation: Bool?
            let auto_annotation: Bool?
        }
        struct Assigned: Encodable {
            var message = "Task assigned"
            let project_name: String
            let dataset_id: Int
            let assigned_annotator: String
            let assigned_reviewer: String
            let tasks_created: Int
            let task_count: Int
            let labels: [LabelClass]
            /// Sign-in links for workers this request created; tokens are stored hashed and shown only here.
            let workbench_links: [String: String]
        }
        let body = try JSON.decode(Body.self, from: request)
        let labels = try (body.labels ?? []).enumerated().map { index, label in
            guard let type = JThetaLabelType.parse(label.type) else {
                throw APIError.invalid("labels[\(index)].type",
                                       "must be one of \(JThetaLabelType.accepted) (case and spacing aside), not '\(label.type.prefix(40))'")
            }
            return LabelClass(name: label.label.trimmingCharacters(in: .whitespaces), type: type)
        }
        let assignment = try services.labeling.request(AnnotationRequest(
            projectName: body.project_name, datasetID: body.dataset_id, annotatorEmail: body.assigned_annotator,
            reviewerEmail: body.assigned_reviewer, labels: labels, allowClassCreation: body.allow_class_creation,
            autoAnnotation: body.auto_annotation), accountID: account.id)
        let classes = try services.projects.classes(projectID: assignment.project.id)
        return JSON.response(Assigned(
            project_name: assignment.project.name, dataset_id: body.dataset_id, assigned_annotator: assignment.annotator.email,
            assigned_reviewer: assignment.reviewer.email, tasks_created: assignment.tasksCreated, task_count: assignment.taskCount,
            labels: classes, workbench_links: assignment.newTokens.mapValues { WorkbenchLink.path(token: $0) }))
    }

    func annotators(_ request: Request, _ account: Account) throws -> Response {
        try workers(account, role: .annotator, key: "annotators")
    }

    func reviewers(_ request: Request, _ account: Account) throws -> Response {
        try workers(account, role: .reviewer, key: "reviewers")
    }

    private func workers(_ account: Account, role: WorkerRole, key: String) throws -> Response {
        struct WorkerBody: Encodable {
            let id: String
            let email: String
            let task_count: Int
        }
        let workers = try services.labeling.workload(accountID: account.id, role: role)
        return JSON.response([key: workers.map { WorkerBody(id: $0.worker.id, email: $0.worker.email, task_count: $0.tasks) }])
    }
}

import HTTP
import Learn
import Quarry

/// The training studio API under `/api/` (../shared/specs/studio-api.md). Every answer is the
/// envelope `{"status": "ok", "data": …}`, every error `{"status": "error", "error": {"code", "message"}}`
/// (with `details` for a refused value) with the codes of studio-api-related.md and docs/decisions.md.
enum StudioRoutes {
    static func bind(_ router: inout Router, services: Services, uploads: UploadContext, anonymous: AnonymousStudio? = nil) {
        func route(_ handler: @escaping @Sendable (Request, Account) throws -> Response) -> Handler {
            shaped(ErrorShapes.studio) { request in
                let account = try Auth.account(request, services.accounts, anonymousAccountID: anonymous?.accountID(for: request))
                return try handler(request, account)
            }
        }
        let projects = StudioProjects(services: services)
        let system = StudioSystem(services: services)
        let json = RouteOptions(maxBodyBytes: 1 << 20)
        router.get("/api/projects", route(projects.list))
        router.post("/api/projects", options: json, route(projects.create))
        router.get("/api/projects/{project_id}", route(projects.get))
        router.patch("/api/projects/{project_id}", options: json, route(projects.update))
        router.delete("/api/projects/{project_id}", route(projects.delete))
        router.get("/api/projects/{project_id}/progress", route(projects.progress))
        router.get("/api/account", route { _, account in Studio.ok(["id": account.id, "name": account.name]) })
        let prelabeler = StudioPrelabeler(services: services)
        router.get("/api/projects/{project_id}/prelabeler", route(prelabeler.get))
        router.put("/api/projects/{project_id}/prelabeler", options: json, route(prelabeler.set))
        router.delete("/api/projects/{project_id}/prelabeler", route(prelabeler.clear))
        router.get("/api/projects/{project_id}/prelabeler/jobs", route(prelabeler.jobs))
        let datasets = StudioDatasets(services: services)
        router.get("/api/datasets/{project_id}", route(datasets.stats))
        router.delete("/api/datasets/{project_id}", route(datasets.clear))
        router.get("/api/datasets/{project_id}/images", route(datasets.list))
        router.get("/api/datasets/{project_id}/images/{filename}", route(datasets.image))
        router.get("/api/datasets/{project_id}/images/{filename}/info", route(datasets.info))
        router.get("/api/datasets/{project_id}/thumbnails/{filename}", route(datasets.thumbnail))
        let imports = StudioImports(services: services, uploads: uploads)
        router.post("/api/datasets/{project_id}/import/upload", options: RouteOptions(maxBodyBytes: uploads.maxUploadBytes),
                    route(imports.upload))
        router.post("/api/datasets/{project_id}/import/local", options: json, route(imports.local))
        router.get("/api/datasets/{project_id}/imports", route(imports.list))
        router.get("/api/datasets/{project_id}/imports/{import_id}", route(imports.job))
        let splits = StudioSplits(services: services)
        router.get("/api/splits/{project_id}", route(splits.list))
        router.post("/api/splits/{project_id}", options: json, route(splits.create))
        router.get("/api/splits/{project_id}/preview", route(splits.preview))
        router.get("/api/splits/{project_id}/{split_index}", route(splits.details))
        router.delete("/api/splits/{project_id}/{split_index}", route(splits.delete))
        router.get("/api/training/models", route(StudioModels().list))
        let weights = StudioWeights(services: services, uploads: uploads)
        router.get("/api/models/weights", route(weights.list))
        router.post("/api/models/weights", options: RouteOptions(maxBodyBytes: weights.maxBodyBytes), route(weights.upload))
        router.delete("/api/models/weights/{name}", route(weights.delete))
        let experiments = StudioExperiments(services: services)
        router.get("/api/training/{project_id}/experiments", route(experiments.list))
        router.post("/api/training/{project_id}/experiments", options: json, route(experiments.create))
        router.get("/api/training/{project_id}/experiments/{exp_id}", route(experiments.get))
        router.patch("/api/training/{project_id}/experiments/{exp_id}", options: json, route(experiments.update))
        router.delete("/api/training/{project_id}/experiments/{exp_id}", route(experiments.delete))
        let runs = StudioRuns(services: services)
        router.post("/api/training/{project_id}/experiments/{exp_id}/run", route(runs.start))
        router.get("/api/training/{project_id}/runs", route(runs.list))
        router.get("/api/training/{project_id}/runs/{run_id}", route(runs.get))
        router.delete("/api/training/{project_id}/runs/{run_id}", route(runs.delete))
        router.post("/api/training/{project_id}/runs/{run_id}/stop", route(runs.stop))
        router.post("/api/training/{project_id}/runs/{run_id}/resume", route(runs.resume))
        router.get("/api/training/{project_id}/runs/{run_id}/metrics", route(runs.metrics))
        router.get("/api/training/{project_id}/runs/{run_id}/stream", route(runs.stream))
        let evaluations = StudioEvaluations(services: services)
        router.get("/api/evaluation/{project_id}", route(evaluations.list))
        router.post("/api/evaluation/{project_id}", options: json, route(evaluations.create))
        router.get("/api/evaluation/{project_id}/{eval_id}", route(evaluations.get))
        router.delete("/api/evaluation/{project_id}/{eval_id}", route(evaluations.delete))
        router.get("/api/evaluation/{project_id}/{eval_id}/results", route(evaluations.results))
        let modelExports = StudioModelExports(services: services)
        router.get("/api/export/formats", route(modelExports.formats))
        router.get("/api/export/{project_id}", route(modelExports.list))
        router.post("/api/export/{project_id}", options: json, route(modelExports.create))
        router.get("/api/export/{project_id}/{export_id}", route(modelExports.get))
        router.delete("/api/export/{project_id}/{export_id}", route(modelExports.delete))
        router.get("/api/export/{project_id}/{export_id}/download", route(modelExports.download))
        router.get("/api/system/health", shaped(ErrorShapes.studio, system.health))
        router.get("/api/system/devices", route(system.devices))
        router.get("/api/system/workspace", route(system.workspace))
    }
}

/// `{"status": "ok", "data": …}`.
enum Studio {
    static func ok(_ data: some Encodable, status: Status = .ok) -> Response {
        JSON.response(Envelope(data: data), status: status)
    }

    /// The answer to a DELETE: `{"<key>": id, "deleted": true}`.
    static func deleted(_ id: String, key: String = "id") -> Response {
        ok(Deleted(id: id, key: key))
    }

    /// One device a body names, `cpu` or `gpu:N` (evaluations, the pre-labeler); nil when left out.
    static func device(_ name: String?) throws(APIError) -> Device? {
        guard let name else { return nil }
        guard let device = Device(name) else { throw APIError.invalid("device", "must be cpu or gpu:N") }
        return device
    }

    private struct Deleted: Encodable {
        let id: String
        let key: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            try container.encode(id, forKey: JSONKey(key))
            try container.encode(true, forKey: JSONKey("deleted"))
        }
    }

    private struct Envelope<Data: Encodable>: Encodable {
        var status = "ok"
        let data: Data
    }
}

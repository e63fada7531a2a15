import HTTP
import Quarry

/// The JTheta annotation API (../shared/specs/jtheta-api.md) at its documented paths, trailing
/// slashes included, and the same operations at the paths JTheta's Python SDK calls (its base URL
/// ends in `/api`). Errors are `{"detail": "..."}` with the status the spec lists.
enum JThetaRoutes {
    static func bind(_ router: inout Router, services: Services, uploads: UploadContext, urls: PublicURLs) {
        let upload = RouteOptions(maxBodyBytes: uploads.maxUploadBytes)
        let json = RouteOptions(maxBodyBytes: 1 << 20)
        func route(_ handler: @escaping @Sendable (Request, Account) throws -> Response) -> Handler {
            shaped(ErrorShapes.detail) { request in try handler(request, try Auth.account(request, services.accounts)) }
        }
        let projects = JThetaProjects(services: services)
        let datasets = JThetaDatasets(services: services, uploads: uploads)
        let annotations = JThetaAnnotations(services: services)
        let exports = JThetaExports(services: services, urls: urls)

        for prefix in ["", "/api"] {
            router.get("\(prefix)/validate_key/", route(projects.validateKey))
            router.post("\(prefix)/create_project/", options: json, route(projects.create))
        }
        router.post("/create_dataset/", options: upload, route(datasets.create))
        router.post("/api/datasets/create", options: upload, route(datasets.create))
        router.post("/upload_images_to_dataset/", options: upload, route(datasets.upload))
        router.post("/api/dataset/upload_images", options: upload, route(datasets.upload))
        router.post("/request_annotation/", options: json, route(annotations.request))
        router.post("/api/annotation/request", options: json, route(annotations.request))
        router.get("/get_annotation_status/{project_title}/", route(projects.status))
        router.get("/api/annotation/status/{project_title}", route(projects.status))
        router.post("/delete_project/", options: json, route(projects.delete))
        router.get("/api/get_annotators/", route(annotations.annotators))
        router.get("/api/get_reviewers/", route(annotations.reviewers))
        // The spec's export takes the key in the query, for links pasted into a browser.
        router.get("/api/export/download", shaped(ErrorShapes.detail) { request in
            try exports.download(request, try Auth.account(request, services.accounts, queryKey: "key"))
        })
        router.get("/api/dataset/export/{dataset_id}/download/", route(exports.datasetExport))
        router.get("/downloads/{export_id}/{file_name}", shaped(ErrorShapes.detail) { try exports.serve($0) })
    }

    /// Paths whose HTTP-level errors (413, 404, ...) take JTheta's shape.
    static func owns(path: String) -> Bool {
        let roots = ["/validate_key", "/create_project", "/create_dataset", "/upload_images_to_dataset", "/request_annotation",
                     "/get_annotation_status", "/delete_project", "/downloads/", "/api/validate_key", "/api/create_project",
                     "/api/datasets/create", "/api/dataset/", "/api/annotation/", "/api/get_annotators", "/api/get_reviewers",
                     "/api/export/download"]
        return roots.contains { path.hasPrefix($0) }
    }
}

import HTTP
import Quarry

/// The JSON API the browser workbench uses: a worker, signed in by their own token
/// (`Authorization: Bearer wk_…`) or by the workbench's session cookie, lists and opens their tasks,
/// saves drafts, submits, and reviews.
/// Errors are `{"error": "..."}`. A task that is not the worker's is a 404, like a missing one.
enum WorkerRoutes {
    static func bind(_ router: inout Router, services: Services) {
        func route(_ handler: @escaping @Sendable (Request, Worker) throws -> Response) -> Handler {
            shaped(ErrorShapes.plain) { request in
                // As `Auth.account`: a token presented decides alone; a wrong one is not rescued by a cookie.
                let worker = if let token = Auth.presentedKey(request) {
                    try services.workers.authenticate(token: token)
                } else {
                    try SessionCookie.worker.value(in: request).flatMap { try services.workers.worker(session: $0) }
                }
                guard let worker else { throw APIError(.unauthorized, "missing or invalid worker token") }
                return try handler(request, worker)
            }
        }
        let tasks = WorkerTasks(services: services)
        let json = RouteOptions(maxBodyBytes: 16 << 20)
        router.get("/worker/me", route { _, worker in JSON.response(["id": worker.id, "email": worker.email]) })
        router.get("/worker/tasks", route(tasks.list))
        router.get("/worker/tasks/{task_id}", route(tasks.open))
        router.put("/worker/tasks/{task_id}/draft", options: json, route(tasks.saveDraft))
        router.post("/worker/tasks/{task_id}/submit", options: json, route(tasks.submit))
        router.post("/worker/tasks/{task_id}/review", options: json, route(tasks.review))
        router.get("/worker/tasks/{task_id}/images/{image_id}", route(tasks.image))
    }
}

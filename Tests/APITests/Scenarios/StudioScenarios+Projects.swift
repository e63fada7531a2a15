import Testing

/// Studio projects, the account, labeling progress and the system routes.
extension StudioScenarios {
    static let projects: [Scenario] = [
        Scenario("a project is created, read, changed and deleted", accounts: ["key", "other"], [
            studio(.post("/api/projects")).json(#"{"name": "colours", "task": "classification"}"#).expect(201).has("status", "ok")
                .has("data.name", "colours").has("data.task", "classification").has("data.image_count", 0).has("data.classes", .count(0))
                .has("data.id", .prefix("proj-")).has("data.created_at", .present).capture("project", "data.id"),
            studio(.post("/api/projects")).json(#"{"name": "colours"}"#).fails(409, .studio("CONFLICT"), "already exists"),
            studio(.post("/api/projects")).json(#"{"name": "poems", "task": "poetry"}"#).fails(422, .studio("VALIDATION_ERROR"), "task must be one of")
                .has("error.details.field", "task"),
            studio(.post("/api/projects")).json(#"{"task": "detection"}"#).fails(422, .studio("VALIDATION_ERROR"), "name is required"),
            .post("/api/projects").json(#"{"name": "anonymous"}"#).fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/projects")).expect(200).has("data.0.id", "{project}").has("data.1", .absent),
            other(.get("/api/projects")).expect(200).has("data", .count(0)),
            .get("/api/projects").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/projects/{project}")).expect(200).has("data.id", "{project}").has("data.name", "colours")
                .has("data.category", "").has("data.status", .present).has("data.updated_at", .present),
            studio(.get("/api/projects/proj-000000000000")).fails(404, .studio("NOT_FOUND"), "not found"),
            other(.get("/api/projects/{project}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/projects/{project}").fails(401, .studio("UNAUTHORIZED")),
            studio(.patch("/api/projects/{project}")).json(#"{"name": "colour wheel", "task": "detection"}"#).expect(200)
                .has("data.name", "colour wheel").has("data.task", "detection"),
            project("taken", as: "taken"),
            studio(.patch("/api/projects/{project}")).json(#"{"name": "taken"}"#).fails(409, .studio("CONFLICT"), "already exists"),
            studio(.patch("/api/projects/{project}")).json(#"{"task": "poetry"}"#).fails(422, .studio("VALIDATION_ERROR"), "task"),
            studio(.patch("/api/projects/{project}")).json(#"{"name": 3}"#).fails(422, .studio("VALIDATION_ERROR"), "name has the wrong type")
                .has("error.details.field", "name").has("error.details.reason", "has the wrong type"),
            studio(.patch("/api/projects/{project}")).json("[1]").fails(422, .studio("VALIDATION_ERROR"), "JSON object")
                .has("error.details", .absent),
            other(.patch("/api/projects/{project}")).json(#"{"name": "mine"}"#).fails(404, .studio("NOT_FOUND")),
            .patch("/api/projects/{project}").json(#"{"name": "mine"}"#).fails(401, .studio("UNAUTHORIZED")),
            other(.delete("/api/projects/{project}")).fails(404, .studio("NOT_FOUND")),
            .delete("/api/projects/{project}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/projects/{project}")).expect(200).has("data.id", "{project}").has("data.deleted", true),
            studio(.get("/api/projects/{project}")).fails(404, .studio("NOT_FOUND")),
            studio(.delete("/api/projects/{project}")).fails(404, .studio("NOT_FOUND")),
        ]),
        Scenario("the account and its labeling progress", accounts: ["key", "other"], [
            studio(.get("/api/account")).expect(200).has("data.id", "{key_account}").has("data.name", "scenario-{run}-key"),
            .get("/api/account").fails(401, .studio("UNAUTHORIZED"), "missing or invalid API key"),
            .get("/api/account").auth("Bearer qk_nope").fails(401, .studio("UNAUTHORIZED")),
            project("Tumor Study"),
            studio(.post("/create_dataset/")).multipart([.field("dataset_name", "scans"), .field("project_name", "Tumor Study"),
                                                         JThetaScenarios.red, JThetaScenarios.blue]).expect(201).capture("dataset", "dataset_id"),
            studio(.post("/request_annotation/")).json(JThetaScenarios.annotationRequest(JThetaScenarios.tumor)).expect(200),
            studio(.get("/api/projects/{project}/progress")).expect(200).has("data.total", 2).has("data.by_status.new", 2)
                .has("data.by_status.done", 0).has("data.by_status.expired", 0).has("data.by_worker.0.email", "ann-{run}@example.com")
                .has("data.by_worker.0.role", "annotator").has("data.by_worker.0.new", 2).has("data.by_worker.1.role", "reviewer"),
            studio(.get("/api/projects/proj-000000000000/progress")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/projects/{project}/progress")).fails(404, .studio("NOT_FOUND")),
            .get("/api/projects/{project}/progress").fails(401, .studio("UNAUTHORIZED")),
        ]),
        Scenario("the system reports its health, devices and workspace", [
            studio(.get("/api/system/health")).expect(200).has("data.status", "healthy").has("data.database", "ok")
                .has("data.uptime_seconds", .atLeast(0)).has("data.version", .present),
            .get("/api/system/health").expect(200).has("data.status", "healthy"),
            .get("/api/system/health").auth("Bearer qk_nope").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/system/devices")).expect(200).has("data.devices.0.id", "cpu").has("data.devices.0.type", "cpu")
                .has("data.devices.0.cores", .atLeast(1)).has("data.cuda_available", .present).has("data.default_selected.0", .present),
            .get("/api/system/devices").fails(401, .studio("UNAUTHORIZED")),
            project(),
            studio(.get("/api/system/workspace")).expect(200).has("data.projects", 1).has("data.images", 0)
                .has("data.data_dir", .present).has("data.disk_free_bytes", .atLeast(1)),
            .get("/api/system/workspace").fails(401, .studio("UNAUTHORIZED")),
        ]),
    ]
}

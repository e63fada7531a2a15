import Testing

/// The Humans-in-the-Loop v1 API (docs/hitl.md): projects made from an instructions URL, jobs from
/// file URLs on the file site, their status, files, cancelation, metrics and webhooks.
/// Errors are `{"error": message}`; another account's project or job is 404 like a missing one.
enum HITLScenarios {
    static func hitl(_ step: Step) -> Step { step.auth("api_key {key}") }
    static func admin(_ step: Step) -> Step { step.auth("Bearer {admin}") }

    /// A `new` project made from the site's instructions PDF, `{project}`.
    static func newProject(_ location: SourceLocation = #_sourceLocation) -> Step {
        hitl(.post("/v1/projects", location)).json(#"{"name": "hitl-{run}", "instructions_file_url": "{site}/files/instructions.pdf"}"#)
            .expect(200).has("id", .prefix("proj-")).capture("project", "id")
    }

    /// `{project}` activated, its jobs going to ann-{run} and rev-{run}.
    static func activate(_ location: SourceLocation = #_sourceLocation) -> Step {
        admin(.post("/admin/projects/{project}/activate", location))
            .json(#"{"annotator": "ann-{run}@example.com", "reviewer": "rev-{run}@example.com"}"#).expect(200).has("status", "active")
    }

    static func createJob(_ extra: String = "", _ location: SourceLocation = #_sourceLocation) -> Step {
        hitl(.post("/v1/jobs", location)).json(#"{"project_id": "{project}", "file_urls": ["{site}/files/frame.png"]\#(extra)}"#)
            .expect(200).has("job_id", .prefix("job-")).capture("job", "job_id")
    }

    static func jobWith(_ fields: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        hitl(.post("/v1/jobs", location)).json(#"{"project_id": "{project}", \#(fields)}"#)
    }

    static let table: [Scenario] = [
        Scenario("health answers with or without a key", [
            .get("/v1/health").expect(200).has("status", "UP"),
            .get("/v1/health").auth("api_key qk_nope").fails(401, .plain, "invalid API key"),
            hitl(.get("/v1/health")).expect(200).has("status", "UP"),
        ]),
        Scenario("a project is made from its instructions URL", accounts: ["key", "other"], [
            newProject(),
            hitl(.get("/v1/projects/{project}")).expect(200).has("status", "new"),
            hitl(.post("/v1/projects")).json(#"{"name": "hitl-{run}", "instructions_file_url": "{site}/files/instructions.pdf"}"#)
                .fails(409, .plain, "already exists"),
            hitl(.post("/v1/projects")).json(#"{"name": "notes-{run}", "instructions_file_url": "{site}/files/notes.txt"}"#)
                .fails(400, .plain, "{site}/files/notes.txt", "must end in one of"),
            hitl(.post("/v1/projects")).json(#"{"name": "inside-{run}", "instructions_file_url": "http://10.1.2.3/files/instructions.pdf"}"#)
                .fails(400, .plain, "http://10.1.2.3/files/instructions.pdf"),
            hitl(.post("/v1/projects")).json(#"{"name": "disguised-{run}", "instructions_file_url": "{site}/files/disguised.png"}"#)
                .fails(400, .plain, "not a PNG file"),
            hitl(.post("/v1/projects")).json(#"{"name": "bare-{run}"}"#).fails(400, .plain, "instructions_file_url is required"),
            .post("/v1/projects").json(#"{"name": "anon-{run}", "instructions_file_url": "{site}/files/instructions.pdf"}"#).fails(401, .plain),
            hitl(.get("/v1/projects/proj-000000000000")).fails(404, .plain, "not found"),
            .get("/v1/projects/{project}").auth("api_key {other}").fails(404, .plain, "not found"),
            .get("/v1/projects/{project}").fails(401, .plain),
        ]),
        Scenario("a job is refused until its project is active, then served", accounts: ["key", "other"], [
            newProject(),
            jobWith(#""file_urls": ["{site}/files/frame.png"]"#).fails(409, .plain, "once an administrator activates it"),
            activate(),
            createJob(),
            hitl(.get("/v1/jobs/{project}/{job}")).expect(200).has("job_id", "{job}").has("project_id", "{project}")
                .has("status", "new").has("create_date", .present).has("start_date", nil).has("finish_date", nil)
                .has("annotations", .count(0)).has("image", .contains("/v1/jobs/{project}/{job}/files/0")).has("error", .absent),
            hitl(.get("/v1/jobs/{project}/{job}/files/0")).expect(200).responseHeader("Content-Type", "image/png"),
            hitl(.get("/v1/jobs/{project}/{job}/files/1")).fails(404, .plain, "no file 1"),
            hitl(.get("/v1/jobs/{project}")).expect(200).has("0.job_id", "{job}").has("1", .absent).responseHeader("X-Total-Count", "1"),
            hitl(.get("/v1/jobs/{project}?page=&page_size=")).expect(200).has("0.job_id", "{job}").responseHeader("X-Total-Count", "1"),
            hitl(.get("/v1/jobs/{project}?page_size=1")).expect(200).has("0.job_id", "{job}").responseHeader("X-Page", "1")
                .responseHeader("X-Page-Size", "1"),
            hitl(.get("/v1/jobs/{project}?page=2&page_size=1")).expect(200).has("0", .absent).responseHeader("X-Total-Count", "1"),
            hitl(.get("/v1/jobs/{project}?page_size=0")).fails(400, .plain, "page_size must be an integer from 1 to 1000"),
            hitl(.get("/v1/jobs/proj-000000000000")).fails(404, .plain, "not found"),
            hitl(.get("/v1/jobs/{project}/job-000000000000")).fails(404, .plain, "not found"),
            hitl(.get("/v1/jobs/{project}/job-000000000000/files/0")).fails(404, .plain, "not found"),
            .get("/v1/jobs/{project}").auth("api_key {other}").fails(404, .plain),
            .get("/v1/jobs/{project}/{job}").auth("api_key {other}").fails(404, .plain),
            .get("/v1/jobs/{project}/{job}/files/0").auth("api_key {other}").fails(404, .plain),
            .get("/v1/jobs/{project}/{job}/files/0").fails(401, .plain),
            .get("/v1/jobs/{project}/{job}").fails(401, .plain),
            .get("/v1/jobs/{project}").fails(401, .plain),
        ]),
        Scenario("a job's inputs are checked before anything is stored", [
            newProject(),
            activate(),
            jobWith(#""file_urls": []"#).fails(400, .plain, "file_urls"),
            jobWith(#""file_urls": ["{site}/files/frame.png"], "expiration_minutes": 0"#).fails(400, .plain, "expiration_minutes"),
            jobWith(#""file_urls": ["{site}/files/frame.png"], "expiration_minutes": "60""#).fails(400, .plain, "expiration_minutes"),
            jobWith(#""file_urls": ["{site}/files/notes.txt"]"#).fails(400, .plain, "{site}/files/notes.txt"),
            jobWith(#""file_urls": ["{site}/files/disguised.png"]"#).fails(400, .plain, "not a PNG file"),
            jobWith(#""file_urls": ["{site}/files/gone.png"]"#).fails(400, .plain, "{site}/files/gone.png"),
            jobWith(#""file_urls": ["http://10.1.2.3/frame.png"]"#).fails(400, .plain, "http://10.1.2.3/frame.png"),
            jobWith(#""file_urls": ["{site}/files/frame.png"], "webhook_url": "ftp://example.com/hook""#).fails(400, .plain, "webhook_url"),
            hitl(.post("/v1/jobs")).json(#"{"file_urls": ["{site}/files/frame.png"]}"#).fails(400, .plain, "project_id is required"),
            hitl(.post("/v1/jobs")).json(#"{"project_id": "proj-000000000000", "file_urls": ["{site}/files/frame.png"]}"#)
                .fails(404, .plain, "not found"),
            .post("/v1/jobs").json(#"{"project_id": "{project}", "file_urls": ["{site}/files/frame.png"]}"#).fails(401, .plain),
            hitl(.get("/v1/jobs/{project}")).expect(200).has("0", .absent).responseHeader("X-Total-Count", "0"),
        ]),
        Scenario("a canceled job stays canceled", accounts: ["key", "other"], [
            newProject(),
            activate(),
            createJob(),
            .delete("/v1/jobs/{project}/{job}").auth("api_key {other}").fails(404, .plain),
            .delete("/v1/jobs/{project}/{job}").fails(401, .plain),
            hitl(.delete("/v1/jobs/{project}/{job}")).expect(200).has("0.job_id", "{job}").has("0.status", "canceled")
                .has("0.finish_date", .present),
            hitl(.delete("/v1/jobs/{project}/{job}")).fails(409, .plain, "only new or progress jobs can be canceled"),
            hitl(.delete("/v1/jobs/{project}/job-000000000000")).fails(404, .plain, "not found"),
            hitl(.get("/v1/jobs/{project}/{job}")).expect(200).has("status", "canceled"),
        ]),
        Scenario("a job approved by its reviewer is done and its webhook recorded", [
            newProject(),
            activate(),
            createJob(#", "webhook_url": "{site}/hooks", "webhook_headers": {"X-Client": "scenario"}"#),
            admin(.post("/admin/workers/link")).json(#"{"email": "ann-{run}@example.com"}"#).expect(200).capture("annotator", "token"),
            admin(.post("/admin/workers/link")).json(#"{"email": "rev-{run}@example.com"}"#).expect(200).capture("reviewer", "token"),
            Step.get("/worker/tasks/{job}").auth("Bearer {annotator}").expect(200).capture("image", "images.0.id"),
            Step.post("/worker/tasks/{job}/submit").auth("Bearer {annotator}")
                .json(#"{"annotations": [{"image_id": {image}, "labels": [{"label": "car", "type": "bounding_box", "bbox": [1, 1, 5, 5]}]}]}"#)
                .expect(200).has("status", "review"),
            hitl(.get("/v1/jobs/{project}/{job}")).expect(200).has("status", "progress").has("start_date", .present),
            Step.post("/worker/tasks/{job}/review").auth("Bearer {reviewer}").json(#"{"decision": "approve"}"#).expect(200).has("status", "done"),
            hitl(.get("/v1/jobs/{project}/{job}")).expect(200).has("status", "done").has("finish_date", .present)
                .has("annotations.images.0.image_id", .text("{image}")).has("annotations.images.0.labels.0.label", "car"),
            hitl(.get("/v1/webhooks/deliveries?job_id={job}")).expect(200).has("deliveries.0.job_id", "{job}")
                .has("deliveries.0.event", "job.done").has("deliveries.0.url", "{site}/hooks").has("deliveries.1", .absent),
            hitl(.get("/v1/webhooks/deliveries")).expect(200).has("deliveries.0.job_id", "{job}"),
            .get("/v1/webhooks/deliveries").fails(401, .plain),
            hitl(.get("/v1/webhooks/secret")).expect(200).has("algorithm", "HMAC-SHA256").has("header", "X-Quarry-Signature")
                .has("secret", .present),
            .get("/v1/webhooks/secret").auth("api_key qk_nope").fails(401, .plain),
        ]),
        Scenario("metrics count the jobs of a period", accounts: ["key", "other"], [
            newProject(),
            activate(),
            createJob(),
            hitl(.get("/v1/metrics?period_group_level=day&project_ids={project}")).expect(200).has("0.project_id", "{project}")
                .has("0.project_name", "hitl-{run}").has("0.period_group_level", "day").has("0.metrics.0.jobs_all", 1)
                .has("0.metrics.0.jobs_new", 1).has("0.metrics.0.avg_seconds_to_finish_job", nil).has("1", .absent),
            hitl(.get("/v1/metrics")).expect(200).has("0.period_group_level", "month"),
            hitl(.get("/v1/metrics?project_ids=&period_start_date=&period_group_level=")).expect(200).has("0.project_id", "{project}")
                .has("0.metrics.0.jobs_all", 1),
            hitl(.get("/v1/metrics?period_group_level=hour")).fails(400, .plain, "period_group_level"),
            hitl(.get("/v1/metrics?period_start_date=yesterday")).fails(400, .plain, "period_start_date"),
            hitl(.get("/v1/metrics?project_ids=proj-000000000000")).fails(404, .plain, "not found"),
            .get("/v1/metrics?project_ids={project}").auth("api_key {other}").fails(404, .plain),
            .get("/v1/metrics").fails(401, .plain),
        ]),
        Scenario("the egress address is the configured one", [
            hitl(.get("/v1/ip")).expect(200, "203.0.113.7").responseHeader("Content-Type", "text/plain"),
            .get("/v1/ip").fails(401, .plain),
        ]),
    ]
}

@Suite(.scenarioServers) struct HITLScenarioTests {
    @Test(arguments: HITLScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

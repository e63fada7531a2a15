import Testing

/// The worker API the workbench uses (docs/worker-api.md): a worker's own tasks, drafts, submission
/// and review, by the rules of the status table. Errors are `{"error": message}`; a task that is not
/// the worker's is 404, an action that is not theirs 403, a label that cannot be drawn 422.
enum WorkerScenarios {
    static func annotator(_ step: Step) -> Step { step.auth("Bearer {annotator}") }
    static func reviewer(_ step: Step) -> Step { step.auth("Bearer {reviewer}") }

    /// A JTheta project of one 8×6 image with the classes `cat` (tag) and `car` (box), one task over
    /// it `{task}` (its image `{image}`) for ann-{run}, reviewed by rev-{run}, and their tokens.
    static func labelingTask(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [Step.post("/create_project/", location).auth("Bearer {key}").json(#"{"project_title": "Pets"}"#).expect(201),
         Step.post("/create_dataset/", location).auth("Bearer {key}")
            .multipart([.field("dataset_name", "pets"), .field("project_name", "Pets"), JThetaScenarios.red]).expect(201)
            .capture("dataset", "dataset_id"),
         Step.post("/request_annotation/", location).auth("Bearer {key}")
            .json(#"{"dataset_id": {dataset}, "project_name": "Pets", "assigned_annotator": "ann-{run}@example.com", "#
                + #""assigned_reviewer": "rev-{run}@example.com", "#
                + #""labels": [{"label": "cat", "type": "tag"}, {"label": "car", "type": "bounding_box"}]}"#).expect(200),
         link("ann-{run}@example.com", as: "annotator", location),
         link("rev-{run}@example.com", as: "reviewer", location),
         annotator(.get("/worker/tasks", location)).expect(200).capture("task", "tasks.0.id").capture("image", "tasks.0.image_ids.0")]
    }

    /// A fresh sign-in token for the worker with `email` in the scenario's account.
    static func link(_ email: String, as name: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step.post("/admin/workers/link", location).auth("Bearer {admin}").json(#"{"email": "\#(email)", "account": "{key_account}"}"#)
            .expect(200).capture(name, "token")
    }

    /// A worker of another account, `{stranger}`, for whom this account's tasks do not exist.
    static func stranger(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [Step.post("/api/projects", location).auth("Bearer {other}").json(#"{"name": "elsewhere"}"#).expect(201).capture("elsewhere", "data.id"),
         Step.post("/admin/projects/{elsewhere}/activate", location).auth("Bearer {admin}")
            .json(#"{"annotator": "stranger-{run}@example.com"}"#).expect(200),
         Step.post("/admin/workers/link", location).auth("Bearer {admin}").json(#"{"email": "stranger-{run}@example.com"}"#)
            .expect(200).capture("stranger", "token")]
    }

    static func labels(_ labels: String) -> String {
        #"{"annotations": [{"image_id": {image}, "labels": \#(labels)}]}"#
    }

    static let cat = labels(#"[{"label": "cat", "type": "tag"}]"#)

    static let table: [Scenario] = [
        Scenario("a worker knows who they are by their token", labelingTask() + [
            annotator(.get("/worker/me")).expect(200).has("email", "ann-{run}@example.com").has("id", .present),
            .get("/worker/me").fails(401, .plain, "missing or invalid worker token"),
            .get("/worker/me").auth("Bearer wk_nope").fails(401, .plain),
            .get("/worker/me").auth("Bearer {key}").fails(401, .plain),
        ]),
        Scenario("a worker's queue lists their tasks by role", labelingTask() + [
            annotator(.get("/worker/tasks?role=annotator")).expect(200).has("tasks.0.id", "{task}").has("tasks.0.status", "new")
                .has("tasks.0.image_ids.0", .text("{image}")).has("tasks.1", .absent),
            annotator(.get("/worker/tasks?role=reviewer")).expect(200).has("tasks", .count(0)),
            reviewer(.get("/worker/tasks")).expect(200).has("tasks", .count(0)),
            annotator(.get("/worker/tasks?role=boss")).fails(400, .plain, "role must be annotator or reviewer"),
            .get("/worker/tasks").fails(401, .plain),
        ]),
        Scenario("a task opens with its images and classes, to its workers only", accounts: ["key", "other"], labelingTask() + stranger() + [
            annotator(.get("/worker/tasks/{task}")).expect(200).has("id", "{task}").has("status", "new").has("roles.0", "annotator")
                .has("images.0.id", .text("{image}")).has("images.0.width", 8).has("images.0.height", 6)
                .has("images.0.url", "/worker/tasks/{task}/images/{image}").has("classes", .count(2))
                .has("project.name", "Pets"),
            reviewer(.get("/worker/tasks/{task}")).expect(200).has("roles.0", "reviewer"),
            .get("/worker/tasks/{task}").auth("Bearer {stranger}").fails(404, .plain, "not found"),
            annotator(.get("/worker/tasks/task-000000000000")).fails(404, .plain, "not found"),
            .get("/worker/tasks/{task}").fails(401, .plain),
            annotator(.get("/worker/tasks/{task}/images/{image}")).expect(200).responseHeader("Content-Type", "image/png"),
            annotator(.get("/worker/tasks/{task}/images/999999")).fails(404, .plain, "image not found in this task"),
            .get("/worker/tasks/{task}/images/{image}").auth("Bearer {stranger}").fails(404, .plain),
            .get("/worker/tasks/{task}/images/{image}").fails(401, .plain),
        ]),
        Scenario("a task is drafted, submitted, rejected, resubmitted and approved", accounts: ["key", "other"], labelingTask() + stranger() + [
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"decision": "approve"}"#).fails(409, .plain, "cannot approve"),
            annotator(.put("/worker/tasks/{task}/draft")).json(cat).expect(200).has("status", "progress")
                .has("draft.0.labels.0.label", "cat"),
            reviewer(.put("/worker/tasks/{task}/draft")).json(cat).fails(403, .plain, "only the annotator"),
            annotator(.put("/worker/tasks/{task}/draft")).json(labels(#"[{"label": "dog", "type": "tag"}]"#)).fails(422, .plain, "dog"),
            annotator(.put("/worker/tasks/{task}/draft")).json(labels(#"[{"label": "car", "type": "bounding_box", "bbox": [5, 4, 10, 10]}]"#))
                .fails(422, .plain),
            annotator(.put("/worker/tasks/{task}/draft")).json(#"{"labels": []}"#).fails(400, .plain, "annotations is required"),
            .put("/worker/tasks/{task}/draft").auth("Bearer {stranger}").json(cat).fails(404, .plain),
            .put("/worker/tasks/{task}/draft").json(cat).fails(401, .plain),
            annotator(.post("/worker/tasks/{task}/submit")).json(#"{"annotations": "cat"}"#).fails(400, .plain, "annotations"),
            reviewer(.post("/worker/tasks/{task}/submit")).json(cat).fails(403, .plain, "only the annotator"),
            .post("/worker/tasks/{task}/submit").auth("Bearer {stranger}").json(cat).fails(404, .plain),
            .post("/worker/tasks/{task}/submit").json(cat).fails(401, .plain),
            annotator(.post("/worker/tasks/{task}/submit"))
                .json(labels(#"[{"label": "cat", "type": "tag"}, {"label": "car", "type": "bounding_box", "bbox": [1, 1, 4, 3]}]"#))
                .expect(200).has("status", "review").has("annotations.0.labels", .count(2)),
            annotator(.post("/worker/tasks/{task}/submit")).json(cat).fails(409, .plain, "cannot submit"),
            annotator(.put("/worker/tasks/{task}/draft")).json(cat).fails(409, .plain, "cannot save a draft"),
            reviewer(.get("/worker/tasks?role=reviewer")).expect(200).has("tasks.0.id", "{task}").has("tasks.0.status", "review"),
            annotator(.post("/worker/tasks/{task}/review")).json(#"{"decision": "approve"}"#).fails(403, .plain, "only the reviewer"),
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"decision": "maybe"}"#).fails(400, .plain, "decision must be approve or reject"),
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"comment": "no decision"}"#).fails(400, .plain, "decision is required"),
            .post("/worker/tasks/{task}/review").auth("Bearer {stranger}").json(#"{"decision": "approve"}"#).fails(404, .plain),
            .post("/worker/tasks/{task}/review").json(#"{"decision": "approve"}"#).fails(401, .plain),
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"decision": "reject", "comment": "box too loose"}"#).expect(200)
                .has("status", "progress").has("review_comment", "box too loose"),
            annotator(.get("/worker/tasks")).expect(200).has("tasks.0.review_comment", "box too loose"),
            annotator(.post("/worker/tasks/{task}/submit")).json(cat).expect(200).has("status", "review"),
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"decision": "approve"}"#).expect(200).has("status", "done")
                .has("finished_at", .present),
            reviewer(.post("/worker/tasks/{task}/review")).json(#"{"decision": "approve"}"#).fails(409, .plain, "it is done"),
            Step.get("/get_annotation_status/Pets/").auth("Bearer {key}").expect(200).has("completed_tasks", 1).has("percent_done", 100),
        ]),
    ]
}

@Suite(.scenarioServers) struct WorkerScenarioTests {
    @Test(arguments: WorkerScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

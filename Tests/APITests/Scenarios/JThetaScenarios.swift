import Testing

/// The JTheta annotation API (docs/jtheta.md) at the spec's paths and the SDK's: keys, projects,
/// datasets from uploaded images, annotation requests, status, deletion and exports behind signed
/// links. Errors are `{"detail": message}`; another account's project or dataset is 404.
enum JThetaScenarios {
    static func jtheta(_ step: Step) -> Step { step.auth("Bearer {key}") }

    static func image(_ name: String, _ rgb: [UInt8], field: String = "images") -> StepBody.Part {
        .file(field: field, name: name, bytes: Fixtures.png(width: 8, height: 6, rgb: rgb), type: "image/png")
    }

    static let red = image("red.png", [200, 30, 30])
    static let blue = image("blue.png", [30, 30, 200])

    /// The project "Tumor Study" and its dataset of two images, `{dataset}`.
    static func studyWithDataset(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [jtheta(.post("/create_project/", location)).json(#"{"project_title": "Tumor Study", "project_category": "medical"}"#).expect(201),
         jtheta(.post("/create_dataset/", location)).multipart([.field("dataset_name", "scans"), .field("project_name", "Tumor Study"), red, blue])
            .expect(201).capture("dataset", "dataset_id")]
    }

    static func annotationRequest(_ labels: String, dataset: String = "{dataset}") -> String {
        #"{"dataset_id": \#(dataset), "project_name": "Tumor Study", "assigned_annotator": "Ann-{run}@Example.com", "#
            + #""assigned_reviewer": "rev-{run}@example.com", "labels": \#(labels)}"#
    }

    static let tumor = #"[{"label": "Tumor", "type": "polygon"}]"#

    static let table: [Scenario] = [
        Scenario("a key is validated at the spec's path and the SDK's", [
            jtheta(.get("/validate_key/")).expect(200).has("valid", true).has("account", "scenario-{run}-key"),
            jtheta(.get("/api/validate_key/")).expect(200).has("valid", true),
            .get("/validate_key/").fails(401, .detail, "missing or invalid API key"),
            .get("/api/validate_key/").auth("Bearer qk_nope").fails(401, .detail),
        ]),
        Scenario("a project title is unique within an account", accounts: ["key", "other"], [
            jtheta(.post("/create_project/")).json(#"{"project_title": "Tumor Study", "project_category": "medical"}"#).expect(201)
                .has("project_title", "Tumor Study").has("project_category", "medical").has("project_id", .prefix("proj-"))
                .has("created_at", .present),
            jtheta(.post("/api/create_project/")).json(#"{"project_title": "Tumor Study"}"#).fails(409, .detail, "already exists"),
            jtheta(.post("/api/create_project/")).json(#"{"project_title": "Second"}"#).expect(201).has("project_category", ""),
            .post("/create_project/").auth("Bearer {other}").json(#"{"project_title": "Tumor Study"}"#).expect(201),
            jtheta(.post("/create_project/")).json(#"{"project_category": "medical"}"#).fails(400, .detail, "project_title is required"),
            jtheta(.post("/create_project/")).json(#"{"project_title": "#).fails(400, .detail, "not valid JSON"),
            .post("/create_project/").json(#"{"project_title": "Anonymous"}"#).fails(401, .detail),
            .post("/api/create_project/").json(#"{"project_title": "Anonymous"}"#).fails(401, .detail),
        ]),
        Scenario("a dataset is made from uploaded images and grows by upload", accounts: ["key", "other"], studyWithDataset() + [
            jtheta(.post("/api/datasets/create")).multipart([.field("dataset_name", "more"), .field("project_name", "Tumor Study"),
                                                             .field("license", "CC-BY-4.0"), image("green.png", [30, 200, 30])])
                .expect(201).has("dataset_name", "more").has("license", "CC-BY-4.0").has("image_count", 1)
                .has("images.0.file_name", "green.png").has("images.0.width", 8).has("images.0.height", 6).has("images.0.format", "png")
                .capture("more", "id"),
            // `id` is the dataset's id too, which the SDK's README reads.
            jtheta(.post("/api/dataset/upload_images")).multipart([.field("dataset_id", "{more}"), .field("project_name", "Tumor Study"), red])
                .expect(201).has("dataset_id", .text("{more}")).has("image_count", 2),
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "scans"), .field("project_name", "Tumor Study"), red])
                .fails(409, .detail, "already exists"),
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "broken"), .field("project_name", "Tumor Study"), red,
                                                         .file(field: "images", name: "bad.png", bytes: Fixtures.notAnImage, type: "image/png")])
                .fails(400, .detail, "file 'bad.png' is not a valid PNG or JPEG image"),
            jtheta(.post("/create_dataset/")).multipart([.field("project_name", "Tumor Study"), red])
                .fails(400, .detail, "dataset_name is required"),
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "empty"), .field("project_name", "Tumor Study")])
                .fails(400, .detail, "no images were uploaded"),
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "lost"), .field("project_name", "Nowhere"), red])
                .fails(404, .detail, "project 'Nowhere' not found"),
            .post("/api/datasets/create").auth("Bearer {other}").multipart([.field("dataset_name", "x"), .field("project_name", "Tumor Study"), red])
                .fails(404, .detail, "not found"),
            jtheta(.post("/create_dataset/")).json(#"{"dataset_name": "json"}"#).fails(415, .detail, "multipart/form-data"),
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "huge"), .field("project_name", "Tumor Study"),
                                                         .file(field: "images", name: "huge.png", bytes: [UInt8](repeating: 0, count: 300_000),
                                                               type: "image/png")])
                .fails(413, .detail),
            .post("/create_dataset/").multipart([.field("dataset_name", "anon"), .field("project_name", "Tumor Study"), red]).fails(401, .detail),
            // Refused, it stores nothing: the next upload finds the dataset as it was.
            jtheta(.post("/upload_images_to_dataset/")).multipart([.field("dataset_id", "{dataset}"), .field("project_name", "Tumor Study"), red,
                                                                  .file(field: "images", name: "bad.png", bytes: Fixtures.notAnImage,
                                                                        type: "image/png")])
                .fails(400, .detail, "bad.png"),
            jtheta(.post("/upload_images_to_dataset/")).multipart([.field("dataset_id", "{dataset}"), .field("project_name", "Tumor Study"),
                                                                  image("grey.png", [90, 90, 90])])
                .expect(201).has("dataset_id", .text("{dataset}")).has("uploaded", 1).has("image_count", 3),
            jtheta(.post("/api/dataset/upload_images")).multipart([.field("dataset_id", "{dataset}"), .field("project_name", "Tumor Study"),
                                                                  image("white.png", [250, 250, 250], field: "images[]")])
                .expect(201).has("uploaded", 1).has("image_count", 4),
            jtheta(.post("/upload_images_to_dataset/")).multipart([.field("dataset_id", "many"), .field("project_name", "Tumor Study"), red])
                .fails(400, .detail, "dataset_id must be a number"),
            jtheta(.post("/upload_images_to_dataset/")).multipart([.field("dataset_id", "999999"), .field("project_name", "Tumor Study"), red])
                .fails(404, .detail, "dataset 999999 not found"),
            .post("/api/dataset/upload_images").auth("Bearer {other}")
                .multipart([.field("dataset_id", "{dataset}"), .field("project_name", "Tumor Study"), red]).fails(404, .detail),
            jtheta(.post("/api/dataset/upload_images")).json(#"{"dataset_id": 1}"#).fails(415, .detail),
            .post("/upload_images_to_dataset/").multipart([.field("dataset_id", "{dataset}"), .field("project_name", "Tumor Study"), red])
                .fails(401, .detail),
            // The refused dataset took nothing, not even its name.
            jtheta(.post("/create_dataset/")).multipart([.field("dataset_name", "broken"), .field("project_name", "Tumor Study"), red])
                .expect(201).has("image_count", 1),
        ]),
        Scenario("annotation is requested over a dataset and its progress reported", accounts: ["key", "other"], studyWithDataset() + [
            jtheta(.post("/request_annotation/"))
                .json(annotationRequest(#"[{"label": "Tumor", "type": "polygon"}, {"label": "Vessel", "type": "bounding_box"}]"#))
                .expect(200).has("message", "Task assigned").has("project_name", "Tumor Study").has("dataset_id", .text("{dataset}"))
                .has("assigned_annotator", "ann-{run}@example.com").has("tasks_created", 2).has("task_count", 2).has("labels", .count(2))
                .has("workbench_links", .count(2)),
            jtheta(.post("/api/annotation/request")).json(annotationRequest(tumor)).expect(200)
                .has("tasks_created", 0).has("task_count", 2).has("workbench_links", .count(0)),
            jtheta(.post("/request_annotation/")).json(annotationRequest("[]")).fails(400, .detail, "labels must name at least one label class"),
            jtheta(.post("/request_annotation/")).json(annotationRequest(#"[{"label": "Tumor", "type": "circle"}]"#))
                .fails(400, .detail, "labels[0].type must be one of Bounding Boxes, Polygons, Points, Instance Segmentation, ", "not 'circle'"),
            // JTheta's own spellings, as its SDK's README sends them, case and spacing aside.
            jtheta(.post("/api/annotation/request")).json(annotationRequest(#"[{"label": "Car", "type": "Bounding Boxes"}, "#
                + #"{"label": "Road", "type": "semantic segmentation"}, {"label": "Sky", "type": "CLASSIFICATION"}, "#
                + #"{"label": "Eye", "type": "Points"}, {"label": "Lane", "type": "Instance_Segmentation"}]"#))
                .expect(200).has("labels.2.name", "Car").has("labels.2.type", "bounding_box").has("labels.3.type", "polygon")
                .has("labels.4.type", "tag").has("labels.5.type", "point").has("labels.6.type", "polygon"),
            jtheta(.post("/request_annotation/")).json(annotationRequest(#"[{"label": "Tumor", "type": "tag"}]"#))
                .fails(409, .detail, "already exists as polygon"),
            jtheta(.post("/request_annotation/")).json(annotationRequest(tumor, dataset: "999999")).fails(404, .detail, "dataset 999999 not found"),
            jtheta(.post("/request_annotation/"))
                .json(#"{"dataset_id": {dataset}, "project_name": "Tumor Study", "assigned_annotator": "a@b.io", "labels": \#(tumor)}"#)
                .fails(400, .detail, "assigned_reviewer is required"),
            jtheta(.post("/api/annotation/request")).json(#"{"dataset_id": {dataset}, "project_name": "Tumor Study", "#
                + #""assigned_annotator": "nobody", "assigned_reviewer": "rev-{run}@example.com", "labels": \#(tumor)}"#)
                .fails(400, .detail, "not an email address"),
            .post("/api/annotation/request").auth("Bearer {other}").json(annotationRequest(tumor)).fails(404, .detail, "not found"),
            .post("/request_annotation/").json(annotationRequest(tumor)).fails(401, .detail),
            jtheta(.get("/get_annotation_status/Tumor%20Study/")).expect(200).has("project_title", "Tumor Study")
                .has("project_id", .prefix("proj-")).has("total_tasks", 2).has("completed_tasks", 0).has("percent_done", 0)
                .has("status_counts.new", 2).has("status_counts.done", 0).has("datasets.0.dataset_id", .text("{dataset}"))
                .has("datasets.0.total_tasks", 2).has("annotators.0.annotator", "ann-{run}@example.com"),
            jtheta(.get("/api/annotation/status/Tumor%20Study")).expect(200).has("total_tasks", 2),
            jtheta(.get("/get_annotation_status/Nowhere/")).fails(404, .detail, "project 'Nowhere' not found"),
            .get("/api/annotation/status/Tumor%20Study").auth("Bearer {other}").fails(404, .detail),
            .get("/get_annotation_status/Tumor%20Study/").fails(401, .detail),
            jtheta(.get("/api/get_annotators/")).expect(200).has("annotators.0.email", "ann-{run}@example.com")
                .has("annotators.0.task_count", 2).has("annotators.1", .absent),
            jtheta(.get("/api/get_reviewers/")).expect(200).has("reviewers.0.email", "rev-{run}@example.com").has("reviewers.0.id", .present),
            .get("/api/get_annotators/").auth("Bearer {other}").expect(200).has("annotators", .count(0)),
            .get("/api/get_annotators/").fails(401, .detail),
            .get("/api/get_reviewers/").fails(401, .detail),
        ]),
        Scenario("an export is built and served through a signed link", accounts: ["key", "other"], studyWithDataset() + [
            .get("/api/export/download?key={key}&project_title=Tumor%20Study").expect(302).has("format", "coco")
                .has("export_id", .present).has("size", .atLeast(1)).responseHeader("Location", "/downloads/")
                .capture("export", "export_id").capture("file", "file_name")
                .capture("expires", "download_url", .query("expires")).capture("signature", "download_url", .query("signature")),
            .get("/downloads/{export}/{file}?expires={expires}&signature={signature}").expect(200)
                .responseHeader("Content-Type", "application/zip").responseHeader("Content-Disposition", "attachment"),
            .get("/downloads/{export}/{file}?expires={expires}&signature=0000{signature}").fails(403, .detail, "not valid"),
            .get("/downloads/{export}/{file}?expires={expires}").fails(403, .detail, "incomplete"),
            jtheta(.get("/api/export/download?format=yolo&dataset_id={dataset}")).expect(302).has("format", "yolo"),
            jtheta(.get("/api/export/download?format=pdf")).fails(400, .detail, "format must be one of"),
            jtheta(.get("/api/export/download?dataset_id=many")).fails(400, .detail, "dataset_id must be a number"),
            jtheta(.get("/api/export/download?project_title=Nowhere")).fails(404, .detail, "not found"),
            .get("/api/export/download?key={other}&dataset_id={dataset}").fails(404, .detail),
            .get("/api/export/download?key=qk_nope").fails(401, .detail),
            jtheta(.get("/api/dataset/export/{dataset}/download/?format=voc&version=v2")).expect(200).has("dataset_id", .text("{dataset}"))
                .has("version", "v2").has("format", "voc").has("download_url", .contains("/downloads/")),
            jtheta(.get("/api/dataset/export/many/download/")).fails(400, .detail, "dataset_id must be a number"),
            .get("/api/dataset/export/{dataset}/download/").auth("Bearer {other}").fails(404, .detail),
            .get("/api/dataset/export/{dataset}/download/").fails(401, .detail),
        ]),
        Scenario("a project is deleted with everything in it", accounts: ["key", "other"], studyWithDataset() + [
            .post("/delete_project/").auth("Bearer {other}").json(#"{"project_title": "Tumor Study"}"#).fails(404, .detail, "not found"),
            .post("/delete_project/").json(#"{"project_title": "Tumor Study"}"#).fails(401, .detail),
            jtheta(.post("/delete_project/")).json(#"{"title": "Tumor Study"}"#).fails(400, .detail, "project_title is required"),
            jtheta(.post("/delete_project/")).json(#"{"project_title": "Tumor Study"}"#).expect(200).has("message", "project deleted")
                .has("project_title", "Tumor Study"),
            jtheta(.get("/get_annotation_status/Tumor%20Study/")).fails(404, .detail),
            jtheta(.post("/delete_project/")).json(#"{"project_title": "Tumor Study"}"#).fails(404, .detail, "not found"),
        ]),
    ]
}

@Suite(.scenarioServers) struct JThetaScenarioTests {
    @Test(arguments: JThetaScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

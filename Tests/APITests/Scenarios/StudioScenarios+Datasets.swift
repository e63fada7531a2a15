import Testing

/// Studio datasets, imports (a ZIP upload, a local folder) and splits.
extension StudioScenarios {
    static let datasets: [Scenario] = [
        Scenario("a ZIP upload is imported into a new dataset", accounts: ["key", "other"], [project()] + importColours() + [
            studio(.get("/api/datasets/{project}/imports/{import}")).expect(200).has("data.id", "{import}").has("data.total", 12)
                .has("data.processed", 12).has("data.duplicates", .count(0)).has("data.skipped", .count(0)).has("data.error", nil)
                .has("data.dataset_id", .present).has("data.finished_at", .present),
            studio(.post("/api/datasets/{project}/import/upload"))
                .multipart([.file(field: "file", name: "colours.zip", bytes: Fixtures.colours, type: "application/zip")])
                .expect(202).capture("again", "data.id"),
            studio(.get("/api/datasets/{project}/imports/{again}")).expect(200).until("data.status", "done").has("data.imported", 0)
                .has("data.duplicates", .count(12)),
            studio(.get("/api/datasets/{project}/imports")).expect(200).has("data", .count(2)),
            studio(.post("/api/datasets/{project}/import/upload")).header("Content-Type", "application/zip")
                .fails(422, .studio("VALIDATION_ERROR"), "send a ZIP archive"),
            studio(.post("/api/datasets/{project}/import/upload")).multipart([.field("file", "not a file")])
                .fails(422, .studio("VALIDATION_ERROR"), "part named 'file'").has("error.details.field", "file"),
            studio(.post("/api/datasets/{project}/import/upload")).bytes([UInt8](repeating: 0, count: 300_000), type: "application/zip")
                .fails(413, .studio("PAYLOAD_TOO_LARGE")),
            studio(.post("/api/datasets/{project}/import/upload")).bytes(Fixtures.notAnImage, type: "application/zip")
                .fails(422, .studio("VALIDATION_ERROR"), "the ZIP archive was refused"),
            studio(.post("/api/datasets/proj-000000000000/import/upload")).bytes(Fixtures.colours, type: "application/zip")
                .fails(404, .studio("NOT_FOUND")),
            other(.post("/api/datasets/{project}/import/upload")).bytes(Fixtures.colours, type: "application/zip")
                .fails(404, .studio("NOT_FOUND")),
            .post("/api/datasets/{project}/import/upload").bytes(Fixtures.colours, type: "application/zip").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/datasets/{project}/imports/import-000000000000")).fails(404, .studio("NOT_FOUND"), "not found"),
            other(.get("/api/datasets/{project}/imports/{import}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/datasets/{project}/imports/{import}").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/datasets/proj-000000000000/imports")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}/imports")).fails(404, .studio("NOT_FOUND")),
            .get("/api/datasets/{project}/imports").fails(401, .studio("UNAUTHORIZED")),
        ]),
        Scenario("a folder under the import root is imported", accounts: ["key", "other"], [
            project(),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"path": "colours"}"#).expect(202).has("data.source", "local")
                .capture("import", "data.id"),
            studio(.get("/api/datasets/{project}/imports/{import}")).expect(200).until("data.status", "done").has("data.imported", 4),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"path": "{import_root}/colours/red"}"#).expect(202),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"path": "/etc"}"#)
                .fails(403, .studio("FORBIDDEN"), "outside the import root"),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"path": "colours/../.."}"#).fails(403, .studio("FORBIDDEN")),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"path": "notes.txt"}"#)
                .fails(404, .studio("NOT_FOUND"), "is not a folder"),
            studio(.post("/api/datasets/{project}/import/local")).json(#"{"folder": "colours"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "source_path is required"),
            other(.post("/api/datasets/{project}/import/local")).json(#"{"path": "colours"}"#).fails(404, .studio("NOT_FOUND")),
            .post("/api/datasets/{project}/import/local").json(#"{"path": "colours"}"#).fails(401, .studio("UNAUTHORIZED")),
        ]),
        Scenario("a dataset lists, serves and clears its images", accounts: ["key", "other"], [project()] + importColours() + [
            studio(.get("/api/datasets/{project}")).expect(200).has("data.project_id", "{project}").has("data.image_count", 12)
                .has("data.unlabeled", 0).has("data.labeled", 12).has("data.size_bytes", .atLeast(1)).has("data.classes", .count(2))
                .has("data.datasets.0.image_count", 12),
            studio(.get("/api/datasets/{project}/images?page_size=5&sort_by=size&sort_order=desc")).expect(200).has("data.images", .count(5))
                .has("data.total", 12).has("data.page", 1).has("data.page_size", 5).has("data.images.0.format", "png"),
            studio(.get("/api/datasets/{project}/images?filter_class=red&search=.png")).expect(200).has("data.total", 6)
                .has("data.images.0.class", "red").has("data.images.0.width", 8).capture("filename", "data.images.0.filename"),
            studio(.get("/api/datasets/{project}/images?sort_by=colour")).fails(422, .studio("VALIDATION_ERROR"), "sort_by")
                .has("error.details.field", "sort_by").has("error.details.reason", "must be filename, class or size"),
            studio(.get("/api/datasets/{project}/images?sort_order=up")).fails(422, .studio("VALIDATION_ERROR"), "sort_order"),
            studio(.get("/api/datasets/{project}/images?page_size=501")).fails(422, .studio("VALIDATION_ERROR"), "page_size"),
            studio(.get("/api/datasets/{project}/images/{filename}")).expect(200).responseHeader("Content-Type", "image/png"),
            studio(.get("/api/datasets/{project}/images/{filename}/info")).expect(200).has("data.image.filename", "{filename}")
                .has("data.image.url", "/api/datasets/{project}/images/{filename}").has("data.image.class", "red").has("data.labels", .present),
            studio(.get("/api/datasets/{project}/images/{filename}/info")).expect(200).has("data.splits", .count(0)),
            studio(.post("/api/splits/{project}")).json(#"{"name": "all in train", "ratios": {"train": 1, "val": 0}, "seed": 1}"#).expect(201),
            studio(.get("/api/datasets/{project}/images/{filename}/info")).expect(200).has("data.splits", .count(1))
                .has("data.splits.0.split_index", 0).has("data.splits.0.name", "all in train").has("data.splits.0.subset", "train"),
            studio(.get("/api/datasets/{project}/thumbnails/{filename}")).expect(200).responseHeader("Content-Type", "image/jpeg"),
            studio(.get("/api/datasets/{project}/images/0_missing.png")).fails(404, .studio("NOT_FOUND"), "not found"),
            studio(.get("/api/datasets/{project}/images/0_missing.png/info")).fails(404, .studio("NOT_FOUND")),
            studio(.get("/api/datasets/{project}/thumbnails/0_missing.png")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}/images")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}/images/{filename}")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}/images/{filename}/info")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/datasets/{project}/thumbnails/{filename}")).fails(404, .studio("NOT_FOUND")),
            other(.delete("/api/datasets/{project}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/datasets/{project}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/datasets/{project}/images").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/datasets/{project}/images/{filename}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/datasets/{project}/images/{filename}/info").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/datasets/{project}/thumbnails/{filename}").fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/datasets/{project}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/datasets/{project}")).expect(200).has("data.project_id", "{project}").has("data.removed_images", 12),
            studio(.get("/api/datasets/{project}")).expect(200).has("data.image_count", 0).has("data.labeled", 0),
            studio(.get("/api/datasets/{project}/images/{filename}")).fails(404, .studio("NOT_FOUND")),
        ]),
        Scenario("splits are previewed, saved, read and removed", accounts: ["key", "other"], [project()] + importColours() + [
            studio(.get("/api/splits/{project}/preview?train=0.5&val=0.25&test=0.25&seed=7")).expect(200)
                .has("data.stats.train", .atLeast(1)).has("data.stats.test", .atLeast(1)).has("data.stats.none", 0)
                .has("data.class_distribution", .present),
            studio(.get("/api/splits/{project}/preview?train=0.9")).fails(422, .studio("VALIDATION_ERROR"), "sum to 1")
                .has("error.details.field", "ratios"),
            studio(.get("/api/splits/{project}/preview?train=most")).fails(422, .studio("VALIDATION_ERROR"), "train must be a number"),
            other(.get("/api/splits/{project}/preview?train=1&val=0")).fails(404, .studio("NOT_FOUND")),
            .get("/api/splits/{project}/preview?train=1&val=0").fails(401, .studio("UNAUTHORIZED")),
            split(),
            studio(.post("/api/splits/{project}")).json(#"{"name": "second", "ratios": {"train": 0.75, "val": 0.25}}"#).expect(201)
                .has("data.split_index", 1).has("data.name", "second").has("data.ratios.train", .number(0.75)).has("data.stats.train", 10)
                .has("data.stats.val", 2),
            studio(.post("/api/splits/{project}")).json(#"{"name": "odd", "ratios": {"train": 0.5, "holdout": 0.5}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "holdout").has("error.details.field", "ratios"),
            studio(.post("/api/splits/{project}")).json(#"{"name": "odd", "ratios": {"train": 1.5, "val": -0.5}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "must be between 0 and 1").has("error.details.field", .prefix("ratios.")),
            studio(.post("/api/splits/{project}")).json(#"{"name": "lacking", "ratios": {"train": 1}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "ratios.val is required").has("error.details.field", "ratios.val"),
            studio(.post("/api/splits/{project}")).json(#"{"ratios": {"train": 1, "val": 0}}"#).fails(422, .studio("VALIDATION_ERROR"), "name is required"),
            other(.post("/api/splits/{project}")).json(#"{"name": "theirs", "ratios": {"train": 1, "val": 0}}"#).fails(404, .studio("NOT_FOUND")),
            .post("/api/splits/{project}").json(#"{"name": "anon", "ratios": {"train": 1, "val": 0}}"#).fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/splits/{project}")).expect(200).has("data", .count(2)).has("data.0.name", "main").has("data.0.split_index", 0)
                .has("data.0.stats.none", 0),
            other(.get("/api/splits/{project}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/splits/{project}").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/splits/{project}/0")).expect(200).has("data.name", "main").has("data.seed", 7).has("data.classes", .present),
            studio(.get("/api/splits/{project}/7")).fails(404, .studio("SPLIT_NOT_FOUND"), "split 7 not found"),
            studio(.get("/api/splits/{project}/first")).fails(422, .studio("VALIDATION_ERROR"), "split_index"),
            other(.get("/api/splits/{project}/0")).fails(404, .studio("NOT_FOUND")),
            .get("/api/splits/{project}/0").fails(401, .studio("UNAUTHORIZED")),
            other(.delete("/api/splits/{project}/0")).fails(404, .studio("NOT_FOUND")),
            .delete("/api/splits/{project}/0").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/splits/{project}/0")).expect(200).has("data.deleted_split_index", 0),
            studio(.get("/api/splits/{project}/0")).expect(200).has("data.name", "second"),
            studio(.delete("/api/splits/{project}/5")).fails(404, .studio("SPLIT_NOT_FOUND"), "split 5 not found"),
            project("empty", as: "empty"),
            studio(.post("/api/splits/{empty}")).json(#"{"name": "none", "ratios": {"train": 1, "val": 0}}"#)
                .fails(422, .studio("DATASET_NOT_IMPORTED"), "no images to split"),
            studio(.get("/api/splits/{empty}/preview?train=1&val=0")).fails(422, .studio("DATASET_NOT_IMPORTED"), "import a dataset first"),
        ]),
    ]
}

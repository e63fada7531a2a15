import Testing

/// Studio experiments and runs: validated configurations, a run trained to its end, and a long run
/// stopped, resumed and refused to everything that needs it finished.
extension StudioScenarios {
    static let training: [Scenario] = [
        Scenario("experiments are validated, saved, changed and removed", accounts: ["key", "other"], [project()] + importColours() + [
            split(),
            studio(.post("/api/training/{project}/experiments"))
                .json(#"{"name": "tiny", "model": "small_cnn", "image_size": 8, "epochs": 1, "batch_size": 4}"#).expect(201)
                .has("data.project_id", "{project}").has("data.config.name", "tiny").has("data.config.model", "small_cnn")
                .has("data.config.image_size", 8).has("data.config.device", "cpu").capture("experiment", "data.id"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "tiny"}"#).fails(409, .studio("CONFLICT"), "already exists"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "none", "epochs": 0}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "epochs").has("error.details.field", "epochs"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "big", "model": "gpt"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "model"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "odd", "colour": "red"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "colour"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "far", "device": "gpu:9"}"#)
                .fails(422, .studio("GPU_NOT_AVAILABLE"), "device gpu:9 is not available").has("error.details.field", "device"),
            studio(.post("/api/training/{project}/experiments")).fails(422, .studio("VALIDATION_ERROR"), "JSON object"),
            other(.post("/api/training/{project}/experiments")).json(#"{"name": "theirs"}"#).fails(404, .studio("NOT_FOUND")),
            .post("/api/training/{project}/experiments").json(#"{"name": "anon"}"#).fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/training/{project}/experiments")).expect(200).has("data.0.id", "{experiment}").has("data.1", .absent),
            other(.get("/api/training/{project}/experiments")).fails(404, .studio("NOT_FOUND")),
            .get("/api/training/{project}/experiments").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/training/{project}/experiments/{experiment}")).expect(200).has("data.config.epochs", 1),
            studio(.get("/api/training/{project}/experiments/exp-000000000000")).fails(404, .studio("EXPERIMENT_NOT_FOUND"), "not found"),
            other(.get("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/training/{project}/experiments/{experiment}").fails(401, .studio("UNAUTHORIZED")),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"epochs": 2, "optimizer": {"lr": 0.01}}"#)
                .expect(200).has("data.config.epochs", 2).has("data.config.optimizer.lr", .number(0.01)).has("data.config.image_size", 8),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"batch_size": 0}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "batch_size").has("error.details.field", "batch_size"),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"optimizer": {"lr": 0}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "optimizer.lr must be above 0").has("error.details.field", "optimizer.lr")
                .has("error.details.reason", "must be above 0 and at most 10"),
            studio(.patch("/api/training/{project}/experiments/exp-000000000000")).json(#"{"epochs": 2}"#)
                .fails(404, .studio("EXPERIMENT_NOT_FOUND")),
            other(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"epochs": 2}"#).fails(404, .studio("NOT_FOUND")),
            .patch("/api/training/{project}/experiments/{experiment}").json(#"{"epochs": 2}"#).fails(401, .studio("UNAUTHORIZED")),
            other(.delete("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("NOT_FOUND")),
            .delete("/api/training/{project}/experiments/{experiment}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/training/{project}/experiments/{experiment}")).expect(200).has("data.id", "{experiment}")
                .has("data.deleted", true),
            studio(.get("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("EXPERIMENT_NOT_FOUND")),
            studio(.delete("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("EXPERIMENT_NOT_FOUND")),
        ]),
        Scenario("the models are listed, and a detection project trains only detectors, on boxes", accounts: ["key"], [
            studio(.get("/api/training/models")).expect(200).has("data.models", .count(7)).has("data.models.0.name", "small_cnn")
                .has("data.models.0.task", "classification").has("data.models.0.parameters", 94_762)
                .has("data.models.3.name", "fcos_resnet18").has("data.models.3.task", "detection")
                .has("data.models.3.default_image_size", 320).has("data.models.3.parameter_classes", 10),
            studio(.get("/api/training/models?task=detection")).expect(200).has("data.models", .count(2))
                .has("data.models.1.name", "fcos_mobilenet_v2"),
            studio(.get("/api/training/models?task=poetry")).fails(422, .studio("VALIDATION_ERROR"), "task")
                .has("error.details.field", "task"),
            .get("/api/training/models").fails(401, .studio("UNAUTHORIZED")),
            studio(.post("/api/projects")).json(#"{"name": "boxes", "task": "detection"}"#).expect(201).capture("project", "data.id"),
        ] + importColours() + [
            split(),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "classifier", "model": "small_cnn"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "model must be fcos_resnet18 or fcos_mobilenet_v2 for a detection project")
                .has("error.details.field", "model"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "default"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "model must be fcos_resnet18"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "odd", "model": "fcos_resnet18", "image_size": 100}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "image_size must be a multiple of 32").has("error.details.field", "image_size"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "detector", "model": "fcos_mobilenet_v2", "epochs": 1}"#)
                .expect(201).has("data.config.image_size", 320).capture("experiment", "data.id"),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"model": "resnet18"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "model must be fcos_resnet18"),
            studio(.post("/api/training/{project}/experiments/{experiment}/run"))
                .fails(422, .studio("DATASET_NOT_IMPORTED"), "the train subset of split 0 has no boxes"),
        ]),
        Scenario("a segmentation project trains only segmenters, on polygons", accounts: ["key"], [
            studio(.post("/api/projects")).json(#"{"name": "regions", "task": "segmentation"}"#).expect(201).capture("project", "data.id"),
        ] + importColours() + [
            split(),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "detector", "model": "fcos_resnet18"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "model must be seg_resnet18 or seg_mobilenet_v2 for a segmentation project"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "segmenter", "model": "seg_resnet18", "epochs": 1}"#)
                .expect(201).has("data.config.image_size", 256).capture("experiment", "data.id"),
            studio(.post("/api/training/{project}/experiments/{experiment}/run"))
                .fails(422, .studio("DATASET_NOT_IMPORTED"), "the train subset of split 0 has no polygons"),
        ]),
        Scenario("a run trains to its end and reports its metrics", accounts: ["key", "other"], trainedRun() + [
            studio(.get("/api/training/{project}/runs/{run}")).expect(200).has("data.run_id", "{run}")
                .has("data.experiment_id", "{experiment}").has("data.classes", .count(2)).has("data.metrics", .count(1))
                .has("data.best_val_accuracy", .atLeast(0)).has("data.config.epochs", 1).has("data.finished_at", .present),
            studio(.get("/api/training/{project}/runs/{run}/stream")).expect(200, "event: epoch_end", "event: status", "event: complete", "id: complete")
                .responseHeader("Content-Type", "text/event-stream"),
            // An EventSource reconnecting after `complete` is told the run is over, not given it again.
            studio(.get("/api/training/{project}/runs/{run}/stream")).header("Last-Event-ID", "complete").expect(204),
            studio(.get("/api/training/{project}/runs/{run}/metrics")).expect(200).has("data", .count(1)).has("data.0.epoch", .present),
            studio(.get("/api/training/{project}/runs")).expect(200).has("data.0.run_id", "{run}").has("data.0.status", "completed"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).fails(409, .studio("CONFLICT"), "completed"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).fails(409, .studio("CONFLICT"), "completed"),
            studio(.post("/api/training/{project}/experiments/exp-000000000000/run")).fails(404, .studio("EXPERIMENT_NOT_FOUND")),
            other(.post("/api/training/{project}/experiments/{experiment}/run")).fails(404, .studio("NOT_FOUND")),
            .post("/api/training/{project}/experiments/{experiment}/run").fails(401, .studio("UNAUTHORIZED")),
            studio(.get("/api/training/{project}/runs/run-000000000000")).fails(404, .studio("RUN_NOT_FOUND"), "not found"),
            studio(.get("/api/training/{project}/runs/run-000000000000/metrics")).fails(404, .studio("RUN_NOT_FOUND")),
            studio(.get("/api/training/{project}/runs/run-000000000000/stream")).fails(404, .studio("RUN_NOT_FOUND")),
            studio(.post("/api/training/{project}/runs/run-000000000000/stop")).fails(404, .studio("RUN_NOT_FOUND")),
            studio(.post("/api/training/{project}/runs/run-000000000000/resume")).fails(404, .studio("RUN_NOT_FOUND")),
            other(.get("/api/training/{project}/runs")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/training/{project}/runs/{run}")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/training/{project}/runs/{run}/metrics")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/training/{project}/runs/{run}/stream")).fails(404, .studio("NOT_FOUND")),
            other(.post("/api/training/{project}/runs/{run}/stop")).fails(404, .studio("NOT_FOUND")),
            other(.post("/api/training/{project}/runs/{run}/resume")).fails(404, .studio("NOT_FOUND")),
            other(.delete("/api/training/{project}/runs/{run}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/training/{project}/runs").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/training/{project}/runs/{run}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/training/{project}/runs/{run}/metrics").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/training/{project}/runs/{run}/stream").fails(401, .studio("UNAUTHORIZED")),
            .post("/api/training/{project}/runs/{run}/stop").fails(401, .studio("UNAUTHORIZED")),
            .post("/api/training/{project}/runs/{run}/resume").fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/training/{project}/runs/{run}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/training/{project}/runs/{run}")).expect(200).has("data.run_id", "{run}").has("data.deleted", true),
            studio(.get("/api/training/{project}/runs/{run}")).fails(404, .studio("RUN_NOT_FOUND")),
            studio(.delete("/api/training/{project}/runs/{run}")).fails(404, .studio("RUN_NOT_FOUND")),
        ]),
        Scenario("a run cannot start without a split", [
            project(),
            experiment(),
            studio(.post("/api/training/{project}/experiments/{experiment}/run")).fails(404, .studio("SPLIT_NOT_FOUND"), "split 0 not found"),
        ]),
        Scenario("a long run is stopped, resumed and stopped again, and refused while it trains", [project()] + importColours() + [
            split(),
            experiment("long", epochs: 1000),
            studio(.post("/api/training/{project}/experiments/{experiment}/run")).expect(201).has("data.status", "pending")
                .capture("run", "data.run_id"),
            studio(.delete("/api/training/{project}/runs/{run}")).fails(409, .studio("CONFLICT"), "still going"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#)
                .fails(409, .studio("CONFLICT"), "{run}"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#)
                .fails(409, .studio("CONFLICT"), "{run}"),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}"}"#).fails(409, .studio("CONFLICT"), "{run}"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).expect(200).has("data.status", "stopping"),
            studio(.get("/api/training/{project}/runs/{run}/stream")).expect(200, "event: complete"),
            studio(.get("/api/training/{project}/runs/{run}")).expect(200).has("data.status", "stopped"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).fails(409, .studio("CONFLICT"), "stopped"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).json(#"{"device": "gpu:9"}"#)
                .fails(422, .studio("GPU_NOT_AVAILABLE"), "gpu:9"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).json(#"{"device": ["gpu:0", "gpu:0"]}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "device names a GPU twice").has("error.details.field", "device"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).json(#"{"device": 9}"#).fails(422, .studio("VALIDATION_ERROR"), "device"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).expect(200).has("data.run_id", "{run}").has("data.status", "pending"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).expect(200).has("data.status", "stopping"),
            studio(.get("/api/training/{project}/runs/{run}/stream")).expect(200, "event: complete"),
            studio(.get("/api/training/{project}/runs/{run}")).expect(200).has("data.status", "stopped"),
            studio(.delete("/api/training/{project}/runs/{run}")).expect(200).has("data.deleted", true),
        ]),
    ]
}

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
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "tiny"}"#).fails(409, .studio("conflict"), "already exists"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "none", "epochs": 0}"#)
                .fails(400, .studio("bad_request"), "epochs"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "big", "model": "gpt"}"#)
                .fails(400, .studio("bad_request"), "model"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "odd", "colour": "red"}"#)
                .fails(400, .studio("bad_request"), "colour"),
            studio(.post("/api/training/{project}/experiments")).json(#"{"name": "far", "device": "gpu:9"}"#)
                .fails(400, .studio("bad_request"), "device"),
            studio(.post("/api/training/{project}/experiments")).fails(400, .studio("bad_request"), "JSON object"),
            other(.post("/api/training/{project}/experiments")).json(#"{"name": "theirs"}"#).fails(404, .studio("not_found")),
            .post("/api/training/{project}/experiments").json(#"{"name": "anon"}"#).fails(401, .studio("unauthorized")),
            studio(.get("/api/training/{project}/experiments")).expect(200).has("data.0.id", "{experiment}").has("data.1", .absent),
            other(.get("/api/training/{project}/experiments")).fails(404, .studio("not_found")),
            .get("/api/training/{project}/experiments").fails(401, .studio("unauthorized")),
            studio(.get("/api/training/{project}/experiments/{experiment}")).expect(200).has("data.config.epochs", 1),
            studio(.get("/api/training/{project}/experiments/exp-000000000000")).fails(404, .studio("not_found"), "not found"),
            other(.get("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("not_found")),
            .get("/api/training/{project}/experiments/{experiment}").fails(401, .studio("unauthorized")),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"epochs": 2, "optimizer": {"lr": 0.01}}"#)
                .expect(200).has("data.config.epochs", 2).has("data.config.optimizer.lr", .number(0.01)).has("data.config.image_size", 8),
            studio(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"batch_size": 0}"#)
                .fails(400, .studio("bad_request"), "batch_size"),
            studio(.patch("/api/training/{project}/experiments/exp-000000000000")).json(#"{"epochs": 2}"#).fails(404, .studio("not_found")),
            other(.patch("/api/training/{project}/experiments/{experiment}")).json(#"{"epochs": 2}"#).fails(404, .studio("not_found")),
            .patch("/api/training/{project}/experiments/{experiment}").json(#"{"epochs": 2}"#).fails(401, .studio("unauthorized")),
            other(.delete("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("not_found")),
            .delete("/api/training/{project}/experiments/{experiment}").fails(401, .studio("unauthorized")),
            studio(.delete("/api/training/{project}/experiments/{experiment}")).expect(200).has("data.id", "{experiment}")
                .has("data.deleted", true),
            studio(.get("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("not_found")),
            studio(.delete("/api/training/{project}/experiments/{experiment}")).fails(404, .studio("not_found")),
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
            studio(.post("/api/training/{project}/runs/{run}/stop")).fails(409, .studio("conflict"), "completed"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).fails(409, .studio("conflict"), "completed"),
            studio(.post("/api/training/{project}/experiments/exp-000000000000/run")).fails(404, .studio("not_found")),
            other(.post("/api/training/{project}/experiments/{experiment}/run")).fails(404, .studio("not_found")),
            .post("/api/training/{project}/experiments/{experiment}/run").fails(401, .studio("unauthorized")),
            studio(.get("/api/training/{project}/runs/run-000000000000")).fails(404, .studio("not_found"), "not found"),
            studio(.get("/api/training/{project}/runs/run-000000000000/metrics")).fails(404, .studio("not_found")),
            studio(.get("/api/training/{project}/runs/run-000000000000/stream")).fails(404, .studio("not_found")),
            studio(.post("/api/training/{project}/runs/run-000000000000/stop")).fails(404, .studio("not_found")),
            studio(.post("/api/training/{project}/runs/run-000000000000/resume")).fails(404, .studio("not_found")),
            other(.get("/api/training/{project}/runs")).fails(404, .studio("not_found")),
            other(.get("/api/training/{project}/runs/{run}")).fails(404, .studio("not_found")),
            other(.get("/api/training/{project}/runs/{run}/metrics")).fails(404, .studio("not_found")),
            other(.get("/api/training/{project}/runs/{run}/stream")).fails(404, .studio("not_found")),
            other(.post("/api/training/{project}/runs/{run}/stop")).fails(404, .studio("not_found")),
            other(.post("/api/training/{project}/runs/{run}/resume")).fails(404, .studio("not_found")),
            other(.delete("/api/training/{project}/runs/{run}")).fails(404, .studio("not_found")),
            .get("/api/training/{project}/runs").fails(401, .studio("unauthorized")),
            .get("/api/training/{project}/runs/{run}").fails(401, .studio("unauthorized")),
            .get("/api/training/{project}/runs/{run}/metrics").fails(401, .studio("unauthorized")),
            .get("/api/training/{project}/runs/{run}/stream").fails(401, .studio("unauthorized")),
            .post("/api/training/{project}/runs/{run}/stop").fails(401, .studio("unauthorized")),
            .post("/api/training/{project}/runs/{run}/resume").fails(401, .studio("unauthorized")),
            .delete("/api/training/{project}/runs/{run}").fails(401, .studio("unauthorized")),
            studio(.delete("/api/training/{project}/runs/{run}")).expect(200).has("data.run_id", "{run}").has("data.deleted", true),
            studio(.get("/api/training/{project}/runs/{run}")).fails(404, .studio("not_found")),
            studio(.delete("/api/training/{project}/runs/{run}")).fails(404, .studio("not_found")),
        ]),
        Scenario("a run cannot start without a split", [
            project(),
            experiment(),
            studio(.post("/api/training/{project}/experiments/{experiment}/run")).fails(400, .studio("bad_request"), "split 0 does not exist"),
        ]),
        Scenario("a long run is stopped, resumed and stopped again, and refused while it trains", [project()] + importColours() + [
            split(),
            experiment("long", epochs: 1000),
            studio(.post("/api/training/{project}/experiments/{experiment}/run")).expect(201).has("data.status", "pending")
                .capture("run", "data.run_id"),
            studio(.delete("/api/training/{project}/runs/{run}")).fails(409, .studio("conflict"), "still going"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#)
                .fails(409, .studio("conflict"), "{run}"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#)
                .fails(409, .studio("conflict"), "{run}"),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}"}"#).fails(409, .studio("conflict"), "{run}"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).expect(200).has("data.status", "stopping"),
            studio(.get("/api/training/{project}/runs/{run}/stream")).expect(200, "event: complete"),
            studio(.get("/api/training/{project}/runs/{run}")).expect(200).has("data.status", "stopped"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).fails(409, .studio("conflict"), "stopped"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).json(#"{"device": "gpu:9"}"#)
                .fails(400, .studio("bad_request"), "gpu:9"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).json(#"{"device": 9}"#).fails(400, .studio("bad_request"), "device"),
            studio(.post("/api/training/{project}/runs/{run}/resume")).expect(200).has("data.run_id", "{run}").has("data.status", "pending"),
            studio(.post("/api/training/{project}/runs/{run}/stop")).expect(200).has("data.status", "stopping"),
            studio(.get("/api/training/{project}/runs/{run}/stream")).expect(200, "event: complete"),
            studio(.get("/api/training/{project}/runs/{run}")).expect(200).has("data.status", "stopped"),
            studio(.delete("/api/training/{project}/runs/{run}")).expect(200).has("data.deleted", true),
        ]),
    ]
}

import Testing

/// What a trained run is used for: evaluations, model exports and the pre-labeler.
extension StudioScenarios {
    static let models: [Scenario] = [
        Scenario("a trained run is evaluated and its results paged", accounts: ["key", "other"], trainedRun() + [
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "batch_size": 4}"#)
                .expect(201).has("data.run_id", "{run}").has("data.checkpoint", "best").has("data.split_subset", "test")
                .has("data.device", "cpu").capture("evaluation", "data.eval_id"),
            studio(.get("/api/evaluation/{project}/{evaluation}")).expect(200).until("data.status", "completed")
                .has("data.status", "completed").has("data.results.count", .atLeast(1))
                .has("data.results.accuracy", .atLeast(0)).has("data.results.per_class", .count(2))
                .has("data.results.confusion_matrix", .count(2)).has("data.finished_at", .present),
            studio(.get("/api/evaluation/{project}/{evaluation}/results?sort_by=error&page_size=2")).expect(200)
                .has("data.total", .atLeast(1)).has("data.page_size", 2).has("data.results.0.filename", .present)
                .has("data.results.0.ground_truth", .present).has("data.results.0.confidence", .atLeast(0)),
            studio(.get("/api/evaluation/{project}/{evaluation}/results?sort_by=name")).fails(422, .studio("VALIDATION_ERROR"), "sort_by")
                .has("error.details.field", "sort_by"),
            studio(.get("/api/evaluation/{project}/{evaluation}/results?filter_correct=maybe"))
                .fails(422, .studio("VALIDATION_ERROR"), "filter_correct").has("error.details.field", "filter_correct"),
            studio(.get("/api/evaluation/{project}/{evaluation}/results?filter_correct=true")).expect(200).capture("right", "data.total"),
            studio(.get("/api/evaluation/{project}/{evaluation}/results?filter_correct=false")).expect(200).capture("wrong", "data.total"),
        ] + booleanSpellings("/api/evaluation/{project}/{evaluation}/results?filter_correct", true: "{right}", false: "{wrong}") + [
            studio(.get("/api/evaluation/{project}/{evaluation}/results?page_size=501")).fails(422, .studio("VALIDATION_ERROR"), "page_size"),
            studio(.get("/api/evaluation/{project}")).expect(200).has("data.0.eval_id", "{evaluation}").has("data.1", .absent),
            experiment("other-experiment", as: "second"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{second}", "run_id": "{run}"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "run_id").has("error.details.field", "run_id"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "batch_size": 0}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "batch_size"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "split_subset": "all"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "split_subset"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "checkpoint": "middle"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "checkpoint"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "split_index": 9}"#)
                .fails(404, .studio("SPLIT_NOT_FOUND"), "split 9 not found"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "device": "gpu:9"}"#)
                .fails(422, .studio("GPU_NOT_AVAILABLE"), "gpu:9 is not available").has("error.details.field", "device"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "device": "tpu"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "device must be cpu or gpu:N"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "colour": 1}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "colour"),
            studio(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "run-000000000000"}"#)
                .fails(404, .studio("RUN_NOT_FOUND")),
            studio(.post("/api/evaluation/{project}")).fails(422, .studio("VALIDATION_ERROR"), "JSON object"),
            studio(.get("/api/evaluation/{project}/eval-000000000000")).fails(404, .studio("NOT_FOUND"), "not found"),
            studio(.get("/api/evaluation/{project}/eval-000000000000/results")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/evaluation/{project}")).fails(404, .studio("NOT_FOUND")),
            other(.post("/api/evaluation/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#)
                .fails(404, .studio("NOT_FOUND")),
            other(.get("/api/evaluation/{project}/{evaluation}")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/evaluation/{project}/{evaluation}/results")).fails(404, .studio("NOT_FOUND")),
            other(.delete("/api/evaluation/{project}/{evaluation}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/evaluation/{project}").fails(401, .studio("UNAUTHORIZED")),
            .post("/api/evaluation/{project}").json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#).fails(401, .studio("UNAUTHORIZED")),
            .get("/api/evaluation/{project}/{evaluation}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/evaluation/{project}/{evaluation}/results").fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/evaluation/{project}/{evaluation}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/evaluation/{project}/{evaluation}")).expect(200).has("data.eval_id", "{evaluation}").has("data.deleted", true),
            studio(.get("/api/evaluation/{project}/{evaluation}")).fails(404, .studio("NOT_FOUND")),
        ]),
        Scenario("a trained run is exported as ONNX and as its checkpoint", accounts: ["key", "other"], trainedRun() + [
            studio(.get("/api/export/formats")).expect(200).has("data.0.format", "onnx").has("data.0.options.opset_version", .present)
                .has("data.1.format", "quarry").has("data.1.file_extension", "ckpt"),
            .get("/api/export/formats").fails(401, .studio("UNAUTHORIZED")),
            studio(.post("/api/export/{project}"))
                .json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "options": {"opset_version": 13, "simplify": true}}"#)
                .expect(201).has("data.format", "onnx").has("data.checkpoint", "best").has("data.options.opset_version", 13)
                .capture("onnx", "data.export_id"),
            studio(.get("/api/export/{project}/{onnx}")).expect(200).until("data.status", "completed").has("data.status", "completed")
                .has("data.file_name", .contains(".onnx")).has("data.size", .atLeast(1))
                .has("data.download_url", "/api/export/{project}/{onnx}/download"),
            studio(.get("/api/export/{project}/{onnx}/download")).expect(200).responseHeader("Content-Type", "application/octet-stream")
                .responseHeader("Content-Disposition", ".onnx"),
            studio(.post("/api/export/{project}"))
                .json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "format": "quarry", "checkpoint": "last"}"#)
                .expect(201).has("data.format", "quarry").capture("checkpoint", "data.export_id"),
            studio(.get("/api/export/{project}/{checkpoint}")).expect(200).until("data.status", "completed").has("data.status", "completed"),
            studio(.get("/api/export/{project}/{checkpoint}/download")).expect(200).responseHeader("Content-Disposition", ".ckpt"),
            studio(.get("/api/export/{project}")).expect(200).has("data", .count(2)).has("data.0.export_id", "{onnx}"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "options": {"opset_version": 12}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "options.opset_version"),
            studio(.post("/api/export/{project}"))
                .json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "options": {"input_shape": [1, 1, 8, 8]}}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "options.input_shape"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "format": "tflite"}"#)
                .fails(422, .studio("EXPORT_FORMAT_UNAVAILABLE"), "'tflite' is not available").has("error.details.field", "format"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "format": 3}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "format has the wrong type"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}", "checkpoint": "middle"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "checkpoint"),
            studio(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "run-000000000000"}"#)
                .fails(404, .studio("RUN_NOT_FOUND")),
            studio(.post("/api/export/{project}")).fails(422, .studio("VALIDATION_ERROR"), "JSON object"),
            studio(.get("/api/export/{project}/export-000000000000")).fails(404, .studio("NOT_FOUND"), "not found"),
            studio(.get("/api/export/{project}/export-000000000000/download")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/export/{project}")).fails(404, .studio("NOT_FOUND")),
            other(.post("/api/export/{project}")).json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/export/{project}/{onnx}")).fails(404, .studio("NOT_FOUND")),
            other(.get("/api/export/{project}/{onnx}/download")).fails(404, .studio("NOT_FOUND")),
            other(.delete("/api/export/{project}/{onnx}")).fails(404, .studio("NOT_FOUND")),
            .get("/api/export/{project}").fails(401, .studio("UNAUTHORIZED")),
            .post("/api/export/{project}").json(#"{"experiment_id": "{experiment}", "run_id": "{run}"}"#).fails(401, .studio("UNAUTHORIZED")),
            .get("/api/export/{project}/{onnx}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/export/{project}/{onnx}/download").fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/export/{project}/{onnx}").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/export/{project}/{onnx}")).expect(200).has("data.export_id", "{onnx}").has("data.deleted", true),
            studio(.get("/api/export/{project}/{onnx}")).fails(404, .studio("NOT_FOUND")),
            studio(.get("/api/export/{project}/{onnx}/download")).fails(404, .studio("NOT_FOUND")),
        ]),
        Scenario("a trained run becomes the project's pre-labeler until cleared", accounts: ["key", "other"], trainedRun() + [
            studio(.get("/api/projects/{project}/prelabeler")).expect(200).has("data.run_id", nil).has("data.checkpoint", nil)
                .has("data.device", nil),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}"}"#).expect(200).has("data.run_id", "{run}")
                .has("data.checkpoint", "best").has("data.device", "cpu"),
            studio(.get("/api/projects/{project}/prelabeler")).expect(200).has("data.run_id", "{run}"),
            studio(.get("/api/projects/{project}/prelabeler/jobs")).expect(200).has("data", .count(0)),
            other(.get("/api/projects/{project}/prelabeler/jobs")).fails(404, .studio("NOT_FOUND")),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "run-000000000000"}"#).fails(404, .studio("RUN_NOT_FOUND")),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}", "checkpoint": "middle"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "checkpoint"),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}", "device": "gpu:9"}"#)
                .fails(422, .studio("GPU_NOT_AVAILABLE"), "device gpu:9 is not available"),
            studio(.put("/api/projects/{project}/prelabeler")).json(#"{"checkpoint": "best"}"#)
                .fails(422, .studio("VALIDATION_ERROR"), "run_id is required").has("error.details.field", "run_id")
                .has("error.details.reason", "is required"),
            other(.get("/api/projects/{project}/prelabeler")).fails(404, .studio("NOT_FOUND")),
            other(.put("/api/projects/{project}/prelabeler")).json(#"{"run_id": "{run}"}"#).fails(404, .studio("NOT_FOUND")),
            other(.delete("/api/projects/{project}/prelabeler")).fails(404, .studio("NOT_FOUND")),
            .get("/api/projects/{project}/prelabeler").fails(401, .studio("UNAUTHORIZED")),
            .put("/api/projects/{project}/prelabeler").json(#"{"run_id": "{run}"}"#).fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/projects/{project}/prelabeler").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/projects/{project}/prelabeler")).expect(200).has("data.run_id", nil),
            studio(.get("/api/projects/{project}/prelabeler")).expect(200).has("data.run_id", nil),
        ]),
    ]

    /// Every spelling of a boolean query parameter that Python clients and browsers send gives what
    /// `true` and `false` give: the totals captured as `trueTotal` and `falseTotal`.
    static func booleanSpellings(_ parameter: String, true trueTotal: String, false falseTotal: String,
                                 _ location: SourceLocation = #_sourceLocation) -> [Step] {
        let spellings = [("True", trueTotal), ("1", trueTotal), ("yes", trueTotal), ("ON", trueTotal),
                         ("False", falseTotal), ("0", falseTotal), ("NO", falseTotal), ("off", falseTotal)]
        return spellings.map { spelling, total in
            studio(.get("\(parameter)=\(spelling)", location)).expect(200).has("data.total", .text(total))
        }
    }
}

import Testing

/// The training studio API under `/api/` (docs/studio.md): projects, datasets and imports, splits,
/// experiments, runs, evaluations, model exports, the pre-labeler and the system. Answers are
/// `{"status": "ok", "data": …}`; errors `{"status": "error", "error": {"code", "message", "details"?}}` with
/// the codes of docs/decisions.md. Another account's project and everything in it is 404.
///
/// Training uses the smallest model there is: a small CNN on the 8-pixel colour images of
/// `Fixtures.colours`, one epoch in batches of four, waited for on the run's event stream.
enum StudioScenarios {
    static let table = projects + datasets + training + models + weights

    static func studio(_ step: Step) -> Step { step.auth("Bearer {key}") }
    static func other(_ step: Step) -> Step { step.auth("Bearer {other}") }

    /// A project `{project}` named "colours".
    static func project(_ name: String = "colours", as capture: String = "project", at location: SourceLocation = #_sourceLocation)
        -> Step {
        studio(.post("/api/projects", location)).json(#"{"name": "\#(name)"}"#).expect(201).capture(capture, "data.id")
    }

    /// The colour ZIP imported into `{project}` (12 images, `red` and `blue`), waited for by its status.
    static func importColours(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [studio(.post("/api/datasets/{project}/import/upload", location)).bytes(Fixtures.colours, type: "application/zip")
            .expect(202).has("data.source", "upload").capture("import", "data.id"),
         studio(.get("/api/datasets/{project}/imports/{import}", location)).expect(200).until("data.status", "done")
            .has("data.status", "done").has("data.imported", 12)]
    }

    /// Split 0 of `{project}`: half for training, a quarter each for validation and test.
    static func split(_ name: String = "main", at location: SourceLocation = #_sourceLocation) -> Step {
        studio(.post("/api/splits/{project}", location))
            .json(#"{"name": "\#(name)", "ratios": {"train": 0.5, "val": 0.25, "test": 0.25}, "seed": 7}"#).expect(201)
    }

    /// An experiment `{capture}` of the smallest configuration, trained for `epochs`.
    static func experiment(_ name: String = "tiny", epochs: Int = 1, as capture: String = "experiment",
                           at location: SourceLocation = #_sourceLocation) -> Step {
        studio(.post("/api/training/{project}/experiments", location))
            .json(#"{"name": "\#(name)", "model": "small_cnn", "image_size": 8, "epochs": \#(epochs), "batch_size": 4}"#)
            .expect(201).capture(capture, "data.id")
    }

    /// A project with its images and a split, and a run `{run}` of `{experiment}` trained to the end.
    static func trainedRun(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [project(at: location)] + importColours(location) + [split(at: location), experiment(at: location),
            studio(.post("/api/training/{project}/experiments/{experiment}/run", location)).expect(201).capture("run", "data.run_id"),
            studio(.get("/api/training/{project}/runs/{run}/stream", location)).expect(200, "event: complete"),
            studio(.get("/api/training/{project}/runs/{run}", location)).expect(200).has("data.status", "completed")]
    }
}

@Suite(.scenarioServers) struct StudioScenarioTests {
    @Test(arguments: StudioScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

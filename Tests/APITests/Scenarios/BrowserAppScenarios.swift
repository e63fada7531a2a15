import Testing

/// The two browser apps (docs/workbench.md): their files under `/workbench/` and `/dashboard/` with
/// the safety headers, and sign-in that trades a worker's token or the account's key for a session
/// cookie the APIs accept in its place. Errors are `{"error": message}`.
enum BrowserAppScenarios {
    static let policy = "default-src 'none'"

    /// A worker, ann-{run}, of a project the administrator activated, and their token `{token}`.
    static func worker(_ location: SourceLocation = #_sourceLocation) -> [Step] {
        [Step.post("/api/projects", location).auth("Bearer {key}").json(#"{"name": "signing-in"}"#).expect(201).capture("project", "data.id"),
         Step.post("/admin/projects/{project}/activate", location).auth("Bearer {admin}").json(#"{"annotator": "ann-{run}@example.com"}"#)
            .expect(200),
         WorkerScenarios.link("ann-{run}@example.com", as: "token", location)]
    }

    static let table: [Scenario] = [
        Scenario("the workbench's files are served with their safety headers", [
            .get("/workbench/").expect(200, "<title>Quarry workbench</title>").responseHeader("Content-Security-Policy", policy)
                .responseHeader("X-Content-Type-Options", "nosniff").responseHeader("Referrer-Policy", "no-referrer"),
            .get("/workbench").expect(302).responseHeader("Location", "/workbench/"),
            .get("/workbench/app.js").expect(200).responseHeader("Content-Type", "text/javascript")
                .responseHeader("Content-Security-Policy", policy),
            .get("/workbench/quarry-api.js").expect(200).responseHeader("Content-Type", "text/javascript"),
            .get("/workbench/app.css").expect(200).responseHeader("Content-Type", "text/css"),
            .get("/workbench/server.swift").fails(404, .plain, "no such file"),
            .get("/workbench/..%2FPackage.swift").fails(404, .plain, "no such file"),
        ]),
        Scenario("a worker's token becomes a workbench session and ends at sign-out", worker() + [
            .post("/workbench/session").json(#"{"token": "{token}"}"#).expect(200).has("email", "ann-{run}@example.com")
                .responseHeader("Set-Cookie", "quarry_session=").responseHeader("Set-Cookie", "HttpOnly")
                .responseHeader("Set-Cookie", "SameSite=Strict").responseHeader("Set-Cookie", "Max-Age=43200")
                .captureHeader("session", "Set-Cookie", .cookie),
            .get("/worker/me").header("Cookie", "{session}").expect(200).has("email", "ann-{run}@example.com"),
            .get("/worker/me").header("Cookie", "{session}").auth("Bearer wk_nope").fails(401, .plain),
            .post("/workbench/session").json(#"{"token": "wk_nope"}"#).fails(401, .plain, "not valid"),
            .post("/workbench/session").fails(400, .plain, "request body must be a JSON object"),
            .post("/workbench/signout").header("Cookie", "{session}").expect(200).has("signed_out", true)
                .responseHeader("Set-Cookie", "Max-Age=0"),
            .get("/worker/me").header("Cookie", "{session}").fails(401, .plain),
            .post("/workbench/signout").expect(200).has("signed_out", true),
        ]),
        Scenario("the dashboard's files are served with their safety headers", [
            .get("/dashboard/").expect(200, "<title>Quarry dashboard</title>").responseHeader("Content-Security-Policy", policy),
            .get("/dashboard").expect(302).responseHeader("Location", "/dashboard/"),
            .get("/dashboard/dashboard.js").expect(200).responseHeader("Content-Type", "text/javascript")
                .responseHeader("X-Content-Type-Options", "nosniff"),
            .get("/dashboard/quarry.css").expect(200).responseHeader("Content-Type", "text/css"),
            .get("/dashboard/app.js").fails(404, .plain, "no such file"),
        ]),
        Scenario("the account's key becomes a dashboard session and ends at sign-out", [
            .post("/dashboard/session").json(#"{"api_key": "{key}"}"#).expect(200).has("account", "scenario-{run}-key")
                .responseHeader("Set-Cookie", "quarry_account=").responseHeader("Set-Cookie", "HttpOnly")
                .responseHeader("Set-Cookie", "SameSite=Strict").captureHeader("session", "Set-Cookie", .cookie),
            .get("/api/account").header("Cookie", "{session}").expect(200).has("data.name", "scenario-{run}-key"),
            .get("/v1/projects/proj-000000000000").header("Cookie", "{session}").fails(404, .plain),
            .get("/api/account").header("Cookie", "{session}").auth("Bearer qk_nope").fails(401, .studio("UNAUTHORIZED")),
            .post("/dashboard/session").json(#"{"api_key": "qk_nope"}"#).fails(401, .plain, "not valid"),
            .post("/dashboard/session").json(#"{"key": "{key}"}"#).fails(400, .plain, "api_key is required"),
            .post("/dashboard/workers/link").header("Cookie", "{session}").json(#"{"email": "nobody-{run}@example.com"}"#)
                .fails(404, .plain, "no worker 'nobody-{run}@example.com'"),
            .post("/dashboard/workers/link").header("Cookie", "{session}").json(#"{"email": "not an address"}"#)
                .fails(400, .plain, "is not an email address"),
            .post("/dashboard/workers/link").json(#"{"email": "nobody-{run}@example.com"}"#).fails(401, .plain),
            .post("/dashboard/signout").header("Cookie", "{session}").expect(200).has("signed_out", true)
                .responseHeader("Set-Cookie", "Max-Age=0"),
            .get("/api/account").header("Cookie", "{session}").fails(401, .studio("UNAUTHORIZED")),
            .post("/dashboard/signout").expect(200).has("signed_out", true),
        ]),
        Scenario("the dashboard hands one of the account's workers a new link, and the old one stops working", accounts: ["key", "other"],
                 worker() + [
            .post("/dashboard/session").json(#"{"api_key": "{key}"}"#).expect(200).captureHeader("session", "Set-Cookie", .cookie),
            .post("/dashboard/workers/link").header("Cookie", "{session}").json(#"{"email": "ANN-{run}@example.com"}"#).expect(200)
                .has("email", "ann-{run}@example.com").has("link", .prefix("/workbench/#token=wk_")),
            .post("/workbench/session").json(#"{"token": "{token}"}"#).fails(401, .plain, "not valid"),
            .post("/dashboard/workers/link").auth("Bearer {other}").json(#"{"email": "ann-{run}@example.com"}"#)
                .fails(404, .plain, "no worker 'ann-{run}@example.com'"),
        ]),
    ]
}

@Suite(.scenarioServers) struct BrowserAppScenarioTests {
    @Test(arguments: BrowserAppScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

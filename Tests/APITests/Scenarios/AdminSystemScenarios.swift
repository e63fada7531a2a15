import Testing

/// The admin API (`/admin/...` and `/metrics`, with the admin key, docs/hitl.md and README) and the
/// routes of no surface: `/healthz`, `/openapi/{name}`, and what an unrouted path answers.
enum AdminSystemScenarios {
    static func admin(_ step: Step) -> Step { step.auth("Bearer {admin}") }

    /// A Studio project of the account, `{project}`, for the administrator to act on.
    static func project(_ name: String = "admin-project", key: String = "key", as capture: String = "project",
                        _ location: SourceLocation = #_sourceLocation) -> Step {
        Step.post("/api/projects", location).auth("Bearer {\(key)}").json(#"{"name": "\#(name)"}"#).expect(201).capture(capture, "data.id")
    }

    static let table: [Scenario] = [
        Scenario("liveness needs no key", [
            .get("/healthz").expect(200).has("status", "ok"),
        ]),
        Scenario("an unrouted path answers in its surface's shape", [
            .get("/no/such/path").fails(404, .plain, "no route for GET /no/such/path"),
            .get("/api/no-such-thing").fails(404, .studio("NOT_FOUND")),
            .delete("/api/account").fails(405, .studio("METHOD_NOT_ALLOWED"), "not allowed").responseHeader("Allow", "GET"),
            .get("/create_project/").fails(405, .detail, "not allowed").responseHeader("Allow", "POST"),
            .delete("/healthz").fails(405, .plain).responseHeader("Allow", "GET"),
        ]),
        Scenario("the OpenAPI documents are public", [
            .get("/openapi/studio.json").expect(200).has("openapi", .prefix("3.")).responseHeader("Content-Type", "application/json"),
            .get("/openapi/hitl.json").expect(200).has("paths./v1/jobs", .present),
            .get("/openapi/secrets.json").fails(404, .plain, "no such file"),
        ]),
        Scenario("metrics need the admin key", [
            .get("/metrics").fails(401, .plain, "admin key"),
            .get("/metrics").auth("Bearer {key}").fails(401, .plain),
            admin(.get("/metrics")).expect(200, "quarry_queue_depth").responseHeader("Content-Type", "text/plain"),
        ]),
        Scenario("accounts are listed to the administrator only", [
            .get("/admin/accounts").fails(401, .plain, "missing or invalid admin key"),
            .get("/admin/accounts").auth("Bearer {key}").fails(401, .plain),
            admin(.get("/admin/accounts")).expect(200, #""name":"scenario-{run}-key""#).has("accounts", .present),
        ]),
        Scenario("an account is created once per name", [
            admin(.post("/admin/accounts")).json(#"{"name": "team-{run}"}"#).expect(201, #""api_key":"qk_"#)
                .has("account.name", "team-{run}").has("account.id", .prefix("acct-")),
            admin(.post("/admin/accounts")).json(#"{"name": "team-{run}"}"#).fails(409, .plain, "already exists"),
            admin(.post("/admin/accounts")).json(#"{"name": 5}"#).fails(400, .plain, "name has the wrong type"),
            admin(.post("/admin/accounts")).fails(400, .plain, "JSON object"),
            admin(.post("/admin/accounts")).json(#"{"name": "  "}"#).fails(400, .plain, "invalid account name"),
            .post("/admin/accounts").json(#"{"name": "intruder-{run}"}"#).fails(401, .plain),
        ]),
        Scenario("a rotated key replaces the old one at once", [
            .get("/api/account").auth("Bearer {key}").expect(200).has("data.id", "{key_account}"),
            admin(.post("/admin/accounts/{key_account}/keys/rotate")).expect(200).has("account.id", "{key_account}")
                .has("api_key", .prefix("qk_")).capture("rotated", "api_key"),
            .get("/api/account").auth("Bearer {key}").fails(401, .studio("UNAUTHORIZED")),
            .get("/api/account").auth("Bearer {rotated}").expect(200).has("data.name", "scenario-{run}-key"),
            admin(.post("/admin/accounts/acct-000000000000/keys/rotate")).fails(404, .plain, "no account"),
            .post("/admin/accounts/{key_account}/keys/rotate").auth("Bearer {rotated}").fails(401, .plain),
        ]),
        Scenario("projects are activated and deactivated by the administrator", [
            project(),
            admin(.post("/admin/projects/{project}/activate")).expect(200).has("id", "{project}").has("status", "active"),
            .get("/v1/projects/{project}").auth("api_key {key}").expect(200).has("status", "active"),
            admin(.post("/admin/projects/{project}/deactivate")).expect(200).has("status", "inactive"),
            .get("/v1/projects/{project}").auth("api_key {key}").expect(200).has("status", "inactive"),
            admin(.post("/admin/projects/proj-000000000000/activate")).fails(404, .plain, "not found"),
            admin(.post("/admin/projects/proj-000000000000/deactivate")).fails(404, .plain, "not found"),
            admin(.post("/admin/projects/{project}/activate")).json(#"{"annotator": "nobody"}"#).fails(400, .plain, "not an email address"),
            admin(.post("/admin/projects/{project}/activate")).json(#"{"annotator": 7}"#).fails(400, .plain, "annotator"),
            .post("/admin/projects/{project}/activate").fails(401, .plain),
            .post("/admin/projects/{project}/deactivate").auth("Bearer {key}").fails(401, .plain),
        ]),
        Scenario("a worker's sign-in link is issued by email", accounts: ["key", "other"], [
            project(),
            admin(.post("/admin/projects/{project}/activate")).json(#"{"annotator": "Ann-{run}@Example.com"}"#).expect(200),
            admin(.post("/admin/workers/link")).json(#"{"email": "ann-{run}@example.com"}"#).expect(200)
                .has("email", "ann-{run}@example.com").has("token", .prefix("wk_")).has("link", .prefix("/workbench/#token=wk_"))
                .capture("token", "token"),
            .get("/worker/me").auth("Bearer {token}").expect(200).has("email", "ann-{run}@example.com"),
            project("their-project", key: "other", as: "theirs"),
            admin(.post("/admin/projects/{theirs}/activate")).json(#"{"annotator": "ann-{run}@example.com"}"#).expect(200),
            admin(.post("/admin/workers/link")).json(#"{"email": "ann-{run}@example.com"}"#).fails(409, .plain, "name the account"),
            admin(.post("/admin/workers/link")).json(#"{"email": "ann-{run}@example.com", "account": "{other_account}"}"#).expect(200)
                .has("token", .prefix("wk_")),
            admin(.post("/admin/workers/link")).json(#"{"email": "nobody-{run}@example.com"}"#).fails(404, .plain, "no worker"),
            admin(.post("/admin/workers/link")).json(#"{"email": "not an address"}"#).fails(400, .plain, "not an email address"),
            admin(.post("/admin/workers/link")).json(#"{"account": "{key_account}"}"#).fails(400, .plain, "email is required"),
            .post("/admin/workers/link").json(#"{"email": "ann-{run}@example.com"}"#).fails(401, .plain),
        ]),
    ]
}

@Suite(.scenarioServers) struct AdminSystemScenarioTests {
    @Test(arguments: AdminSystemScenarios.table, TransportKind.allCases)
    func scenario(_ scenario: Scenario, over transport: TransportKind) throws {
        try ScenarioRunner.run(scenario, over: transport)
    }
}

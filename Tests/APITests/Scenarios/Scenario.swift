import Testing

/// A named list of steps sharing the values they capture. Every scenario opens its own accounts
/// through the admin API, so scenarios share nothing and can run side by side on one server: for each
/// name in `accounts`, `{name}` is the account's API key and `{name_account}` its id.
struct Scenario: Sendable, CustomStringConvertible {
    let name: String
    let steps: [Step]

    var description: String { name }

    init(_ name: String, accounts: [String] = ["key"], _ steps: [Step], _ location: SourceLocation = #_sourceLocation) {
        self.name = name
        self.steps = accounts.map { Self.openAccount($0, location) } + steps
    }

    /// `POST /admin/accounts` for a fresh account named after the run, keeping its key and id.
    static func openAccount(_ name: String, _ location: SourceLocation) -> Step {
        Step.post("/admin/accounts", location).auth("Bearer {admin}").json(#"{"name": "scenario-{run}-\#(name)"}"#)
            .expect(201).has("api_key", .prefix("qk_")).capture(name, "api_key").capture("\(name)_account", "account.id")
    }
}

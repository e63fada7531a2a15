import Foundation
import Testing

/// Runs a scenario's steps in order over one transport of the current table's servers, checking
/// each answer and keeping what it captures. A step whose status is wrong, or whose capture is
/// missing, ends the scenario: the steps after it depend on it.
struct ScenarioRunner {
    let transport: any Transport
    var placeholders: Placeholders

    static func run(_ scenario: Scenario, over kind: TransportKind) throws {
        guard let servers = ScenarioServers.current else {
            Issue.record("scenarios run inside a suite marked .scenarioServers")
            return
        }
        // Names the scenario's accounts (and anything else it makes) apart from every other run's.
        let run = UUID().uuidString.prefix(8).lowercased()
        var runner = ScenarioRunner(transport: servers.transport(kind),
                                    placeholders: Placeholders(values: servers.constants.merging(["run": run]) { $1 }))
        for (index, step) in scenario.steps.enumerated() {
            guard try runner.perform(step, label: "\(scenario.name) [\(kind)], step \(index + 1)") else { return }
        }
    }

    private mutating func perform(_ step: Step, label: String) throws -> Bool {
        let fill = placeholders.fill
        let request = TransportRequest(method: step.method, target: try fill(step.path),
                                       headers: try step.headers.map { ($0.name, try fill($0.value)) },
                                       body: try step.body.encoded(fill))
        let context = "\(label), \(step.method) \(request.target)"
        var response = try transport.send(request)
        if let (path, expected) = step.until {
            let deadline = Date() + Step.pollDeadline
            while response.status == step.status, try !expected.matches(Self.json(response).flatMap { Expected.lookup(path, in: $0) }, fill),
                  Date() < deadline {
                // Nothing reports this work's end to a client but its status, so it is asked again, briefly apart.
                Thread.sleep(forTimeInterval: 0.02)
                response = try transport.send(request)
            }
        }
        guard response.status == step.status else {
            Issue.record("\(context): status \(response.status), expected \(step.status): \(response.text.prefix(800))",
                         sourceLocation: step.location)
            return false
        }
        let text = response.text
        for fragment in step.fragments {
            let wanted = try fill(fragment)
            if !text.contains(wanted) {
                Issue.record("\(context): no \"\(wanted)\" in \(text.prefix(800))", sourceLocation: step.location)
            }
        }
        if let shape = step.shape, let problem = Self.shapeProblem(shape, response) {
            Issue.record("\(context): \(problem): \(text.prefix(800))", sourceLocation: step.location)
        }
        let document = Self.json(response)
        for (path, expected) in step.values {
            let found = document.flatMap { Expected.lookup(path, in: $0) }
            if try !expected.matches(found, fill) {
                Issue.record("\(context): \(path) is \(found.map { "\($0)" } ?? "absent"), expected \(expected)",
                             sourceLocation: step.location)
            }
        }
        for (name, fragment) in step.responseHeaders {
            let wanted = try fill(fragment)
            if response.header(name)?.contains(wanted) != true {
                Issue.record("\(context): header \(name) is \(response.header(name) ?? "absent"), expected to hold \"\(wanted)\"",
                             sourceLocation: step.location)
            }
        }
        for capture in step.captures {
            guard let value = Self.value(of: capture, in: response, document) else {
                Issue.record("\(context): nothing to capture as {\(capture.name)} in \(text.prefix(800))", sourceLocation: step.location)
                return false
            }
            placeholders.values[capture.name] = value
        }
        return true
    }

    private static func json(_ response: TransportResponse) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
    }

    private static func value(of capture: Capture, in response: TransportResponse, _ document: Any?) -> String? {
        let raw: String? = switch capture.source {
        case .json(let path): document.flatMap { Expected.lookup(path, in: $0) }.flatMap(Expected.text(of:))
        case .header(let name): response.header(name)
        }
        guard let raw else { return nil }
        switch capture.form {
        case .whole:
            return raw
        case .urlPath:
            guard let scheme = raw.range(of: "://") else { return raw }
            return raw[scheme.upperBound...].firstIndex(of: "/").map { String(raw[$0...]) }
        case .cookie:
            return String(raw.prefix { $0 != ";" })
        case .query(let name):
            return URLComponents(string: raw)?.queryItems?.first { $0.name == name }?.value
        }
    }

    /// What is wrong with an error body for its surface, or nil when it is exactly the surface's shape.
    private static func shapeProblem(_ shape: ErrorShape, _ response: TransportResponse) -> String? {
        guard let object = json(response) as? [String: Any] else { return "the error body is not a JSON object" }
        switch shape {
        case .plain:
            return Set(object.keys) == ["error"] && object["error"] is String ? nil : #"not {"error": message}"#
        case .detail:
            return Set(object.keys) == ["detail"] && object["detail"] is String ? nil : #"not {"detail": message}"#
        case .studio(let code):
            guard Set(object.keys) == ["status", "error"], object["status"] as? String == "error",
                  let error = object["error"] as? [String: Any], error["message"] is String,
                  Set(error.keys) == ["code", "message"] || Set(error.keys) == ["code", "message", "details"] else {
                return #"not {"status": "error", "error": {"code", "message"}}"#
            }
            if let details = error["details"] {
                guard let details = details as? [String: Any], Set(details.keys) == ["field", "reason"],
                      let field = details["field"] as? String, let reason = details["reason"] as? String,
                      error["message"] as? String == "\(field) \(reason)" else {
                    return #"details not {"field", "reason"} of a message "field reason""#
                }
            }
            return error["code"] as? String == code ? nil : "code \(error["code"] ?? "none"), expected \(code)"
        }
    }
}

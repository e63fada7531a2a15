import HTTP
import Testing

/// One request of a scenario and what its answer must hold. The path, header values, a JSON or text
/// body, the fragments and expected strings may name `{placeholders}`: values captured from earlier
/// answers of the same scenario, or given by the servers (`ScenarioServers.constants`).
///
/// Built by a constructor (`Step.get(...)`) and refined by modifiers that each return a changed copy,
/// so a table reads as one line per request. Failures are reported at the line that built the step.
struct Step: Sendable {
    var method: Method
    /// The path with an optional query, as sent (placeholders filled).
    var path: String
    var headers: [(name: String, value: String)] = []
    var body: StepBody = .empty
    var status = 200
    /// Texts the body must contain.
    var fragments: [String] = []
    /// Values the JSON body must hold at a path (`Expected.lookup` describes paths).
    var values: [(path: String, expected: Expected)] = []
    /// Fragments a response header must contain.
    var responseHeaders: [(name: String, fragment: String)] = []
    /// The error body's shape, checked exactly: the surface's own keys and nothing else.
    var shape: ErrorShape?
    var captures: [Capture] = []
    /// Background work: the request is repeated until this value holds, for at most `pollDeadline`.
    var until: (path: String, expected: Expected)?
    let location: SourceLocation

    /// A generous bound on background work (an import, an evaluation, an export) so that a hang fails
    /// the scenario instead of stalling the run.
    static let pollDeadline: Double = 120

    static func get(_ path: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step(method: .get, path: path, location: location)
    }

    static func post(_ path: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step(method: .post, path: path, location: location)
    }

    static func put(_ path: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step(method: .put, path: path, location: location)
    }

    static func patch(_ path: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step(method: .patch, path: path, location: location)
    }

    static func delete(_ path: String, _ location: SourceLocation = #_sourceLocation) -> Step {
        Step(method: .delete, path: path, location: location)
    }

    /// Sets a request header, replacing one of the same name.
    func header(_ name: String, _ value: String) -> Step {
        var step = self
        step.headers.removeAll { $0.name.lowercased() == name.lowercased() }
        step.headers.append((name, value))
        return step
    }

    /// `Authorization: <value>`, e.g. `"Bearer {key}"`.
    func auth(_ value: String) -> Step { header("Authorization", value) }

    func withoutAuth() -> Step {
        var step = self
        step.headers.removeAll { $0.name.lowercased() == "authorization" }
        return step
    }

    /// A JSON body (`Content-Type: application/json`).
    func json(_ text: String) -> Step {
        var step = header("Content-Type", "application/json")
        step.body = .text(text)
        return step
    }

    func multipart(_ parts: [StepBody.Part]) -> Step {
        var step = header("Content-Type", "multipart/form-data; boundary=\(StepBody.boundary)")
        step.body = .multipart(parts)
        return step
    }

    func bytes(_ bytes: [UInt8], type: String) -> Step {
        var step = header("Content-Type", type)
        step.body = .bytes(bytes)
        return step
    }

    /// A success: the status and texts the body holds.
    func expect(_ status: Int, _ fragments: String...) -> Step {
        var step = self
        step.status = status
        step.fragments += fragments
        return step
    }

    /// A documented error: its status, the surface's error shape, and texts the message holds (the
    /// field or object it names).
    func fails(_ status: Int, _ shape: ErrorShape, _ fragments: String...) -> Step {
        var step = self
        step.status = status
        step.shape = shape
        step.fragments += fragments
        return step
    }

    func has(_ path: String, _ expected: Expected) -> Step {
        var step = self
        step.values.append((path, expected))
        return step
    }

    func responseHeader(_ name: String, _ fragment: String) -> Step {
        var step = self
        step.responseHeaders.append((name, fragment))
        return step
    }

    func capture(_ name: String, _ path: String, _ form: Capture.Form = .whole) -> Step {
        var step = self
        step.captures.append(Capture(name: name, source: .json(path), form: form))
        return step
    }

    func captureHeader(_ name: String, _ header: String, _ form: Capture.Form = .whole) -> Step {
        var step = self
        step.captures.append(Capture(name: name, source: .header(header), form: form))
        return step
    }

    func until(_ path: String, _ expected: Expected) -> Step {
        var step = self
        step.until = (path, expected)
        return step
    }
}

/// A value kept from an answer for later steps.
struct Capture: Sendable {
    enum Source: Sendable {
        case json(String)
        case header(String)
    }

    enum Form: Sendable {
        case whole
        /// The path and query of an absolute URL, so a link the server built works on either transport.
        case urlPath
        /// The `name=value` pair that starts a `Set-Cookie` value.
        case cookie
        /// One parameter of a URL's query (a signed link's `signature`), so the step using it can spell
        /// out the route it requests.
        case query(String)
    }

    let name: String
    let source: Source
    let form: Form
}

/// Each surface's error body (Sources/API/Shared/ErrorShapes.swift).
enum ErrorShape: Sendable {
    /// `{"error": "message"}`: HITL, admin, worker, the browser apps and the root paths.
    case plain
    /// `{"detail": "message"}`: JTheta.
    case detail
    /// `{"status": "error", "error": {"code": code, "message": "message"}}`: the Studio API; a refused
    /// value adds `"details": {"field", "reason"}`, the two parts of the message.
    case studio(String)
}

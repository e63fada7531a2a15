/// Turns a request into a response. Runs on a handler thread, or on the event loop when its
/// route says `runsInline` (or `runsInlineWhen` says so of the request).
public typealias Handler = @Sendable (Request) throws -> Response

/// Per-route settings the server reads before it runs the handler.
public struct RouteOptions: Sendable {
    /// Largest body this route accepts (larger gets 413); nil means `Limits.defaultMaxBodyBytes`.
    public var maxBodyBytes: Int?
    /// Run the handler on the event-loop thread instead of handing it to a handler thread. Only for
    /// handlers that never block (no disk, database or network): a blocking one stalls every
    /// connection on its loop.
    public var runsInline: Bool
    /// Run the handler on the event-loop thread when this says the request can be answered without
    /// blocking (a key verified a moment ago, say), else on a handler thread. It runs on the loop itself,
    /// so it must be cheap and never block.
    public var runsInlineWhen: (@Sendable (Request) -> Bool)?

    public init(maxBodyBytes: Int? = nil, runsInline: Bool = false, runsInlineWhen: (@Sendable (Request) -> Bool)? = nil) {
        self.maxBodyBytes = maxBodyBytes
        self.runsInline = runsInline
        self.runsInlineWhen = runsInlineWhen
    }
}

public struct Route: Sendable {
    public let method: Method
    /// The pattern exactly as registered.
    public let pattern: String
    public let options: RouteOptions
    public let handler: Handler
}

public enum RouteMatch: Sendable {
    /// `parameters` holds the percent-decoded value of each `{name}` and `{name...}` in the pattern.
    case found(Route, parameters: [String: String])
    case notFound
    /// The path matches routes under other methods only (405). `allowed` is sorted by name, has no
    /// repeats and includes HEAD whenever it includes GET, ready for the `Allow` field.
    case methodNotAllowed(allowed: [Method])
    /// Not origin-form, a malformed `%` escape, or escapes that decode to invalid UTF-8 (400).
    case badPath
}

/// Maps a method and a path to a route. Built once at start-up, then immutable and shared by all
/// threads.
///
/// Patterns (see `RoutePattern`) are `/`-separated segments: a literal, `{name}` for one segment,
/// or a final `{name...}` for the rest of the path (one or more segments, joined by "/").
///
/// Matching rules:
/// - The raw path is split on "/" before percent-decoding, so `%2F` stays inside one value, and a
///   literal is compared with the decoded segment. Parameter values are decoded and may contain
///   any text, "/" and ".." included: a handler must validate them before using them as names.
///   A rest-capture value is decoded whole, so an encoded `%2F` in it reads like a separator.
/// - Literal beats parameter beats rest-capture, with backtracking when a branch dead-ends.
/// - One trailing slash is not significant: `/a/` and `/a` match the same route, however the
///   pattern was written. Empty segments (`//`) never match.
/// - HEAD uses the GET route when no route for the path is registered under HEAD; the server is
///   expected to send the GET response's head without its body.
/// - A method is looked for across every route the path matches, so `GET /a/b/c` reaches a GET on
///   `/a/{x}/c` even if `/a/b/c` itself only has POST.
///
/// Registering one method twice for the same pattern, or naming the parameter at one trie position
/// differently in two patterns (`/a/{id}` and `/a/{key}/b`), traps: both are programmer errors
/// that would otherwise make a route silently unreachable.
public struct Router: Sendable {
    public private(set) var routes: [Route] = []
    private var trie = RouteTrie()

    public init() {}

    public mutating func add(_ method: Method, _ pattern: String, options: RouteOptions = RouteOptions(),
                             _ handler: @escaping Handler) {
        if let duplicate = trie.insert(RoutePattern(pattern), source: pattern, method: method, route: routes.count) {
            preconditionFailure("Route \(method) \(pattern) duplicates \(method) \(routes[duplicate].pattern)")
        }
        routes.append(Route(method: method, pattern: pattern, options: options, handler: handler))
    }

    public mutating func get(_ pattern: String, options: RouteOptions = RouteOptions(),
                             _ handler: @escaping Handler) {
        add(.get, pattern, options: options, handler)
    }

    public mutating func post(_ pattern: String, options: RouteOptions = RouteOptions(),
                              _ handler: @escaping Handler) {
        add(.post, pattern, options: options, handler)
    }

    public mutating func put(_ pattern: String, options: RouteOptions = RouteOptions(),
                             _ handler: @escaping Handler) {
        add(.put, pattern, options: options, handler)
    }

    public mutating func patch(_ pattern: String, options: RouteOptions = RouteOptions(),
                               _ handler: @escaping Handler) {
        add(.patch, pattern, options: options, handler)
    }

    public mutating func delete(_ pattern: String, options: RouteOptions = RouteOptions(),
                                _ handler: @escaping Handler) {
        add(.delete, pattern, options: options, handler)
    }

    /// `path` is `RequestHead.path`: raw, still percent-encoded, without the query.
    public func match(_ method: Method, path: String) -> RouteMatch {
        var path = path
        return path.withUTF8 { bytes in
            guard let path = RouteTrie.Path(bytes) else { return .badPath }
            if let found = find(trie.methodIndex(method), in: path) { return found }
            if method == .head, let found = find(trie.methodIndex(.get), in: path) { return found }
            return allowedMethods(in: path)
        }
    }

    private func find(_ method: Int?, in path: RouteTrie.Path) -> RouteMatch? {
        guard let method else { return nil }
        var parameters: [String: String] = [:]
        let bit: UInt64 = 1 << method
        let found = trie.search(0, from: 0, in: path, parameters: &parameters) { $0.methodMask & bit != 0 }
        guard let node = found, let route = trie.route(at: node, method: method) else { return nil }
        return .found(routes[route], parameters: parameters)
    }

    /// The slow path, taken only when nothing matched: gathers the methods of every route whose
    /// pattern matches the path, to tell 405 from 404.
    private func allowedMethods(in path: RouteTrie.Path) -> RouteMatch {
        var mask: UInt64 = 0
        var unused: [String: String] = [:]
        _ = trie.search(0, from: 0, in: path, parameters: &unused) { node in
            mask |= node.methodMask
            return false
        }
        guard mask != 0 else { return .notFound }
        var allowed = Set(trie.methods.indices.filter { mask & (1 << $0) != 0 }.map { trie.methods[$0] })
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }
}

/// The routes' segment trie, flattened into arrays of plain values that refer to each other by
/// index: the finished trie is one immutable value every thread reads without locks, and walking
/// it copies no references, so a match costs no retain/release traffic.
///
/// Resolution order at each node: the literal child, then the parameter child, then the
/// rest-capture; when a branch dead-ends deeper down, the next one is tried (backtracking), so
/// `/api/export/download` (literal) and `/api/export/{project_id}` coexist, and `/a/{x}/c` still
/// matches `/a/b/c` after the literal branch `/a/b/d` fails.
struct RouteTrie: Sendable {
    static let none = -1

    struct Node: Sendable {
        /// Head of this node's literal children, a list linked through `Literal.next`. At most one
        /// literal can equal a segment, so their order does not matter.
        var firstLiteral = none
        var parameterChild = none
        var parameterName = none
        var restChild = none
        var restName = none
        /// Head of the routes ending here, a list linked through `Endpoint.next`.
        var firstEndpoint = none
        /// Bit `i` is set when a route for `methods[i]` ends here: method checks are one AND.
        var methodMask: UInt64 = 0
        /// How many values a match ending here captures, so the dictionary is sized once.
        var parameterCount = 0
    }

    struct Literal: Sendable {
        /// Where the literal's UTF-8 lies in `literalBytes`.
        var bytes: Range<Int>
        var child: Int
        var next: Int
    }

    struct Endpoint: Sendable {
        var method: Int
        var route: Int
        var next: Int
    }

    private(set) var nodes = [Node()]
    private(set) var literals: [Literal] = []
    private(set) var literalBytes: [UInt8] = []
    private(set) var endpoints: [Endpoint] = []
    /// Parameter names, referred to by `Node.parameterName` and `Node.restName`.
    private(set) var names: [String] = []
    /// Every method some route uses; its index is its bit in `Node.methodMask`.
    private(set) var methods: [Method] = []

    /// Adds `pattern` for `method` and returns nil, or the index of the route already registered
    /// for the same method at the same node.
    mutating func insert(_ pattern: RoutePattern, source: String, method: Method, route: Int) -> Int? {
        var index = 0
        for segment in pattern.segments {
            switch segment {
            case .literal(let text):
                index = literalChild(of: index, Array(text.utf8))
            case .parameter(let name):
                if nodes[index].parameterChild == Self.none {
                    nodes[index].parameterName = intern(name)
                    nodes[index].parameterChild = appendNode()
                }
                precondition(names[nodes[index].parameterName] == name,
                             conflict(source, name, names[nodes[index].parameterName]))
                index = nodes[index].parameterChild
            case .rest(let name):
                if nodes[index].restChild == Self.none {
                    nodes[index].restName = intern(name)
                    nodes[index].restChild = appendNode()
                }
                precondition(names[nodes[index].restName] == name, conflict(source, name, names[nodes[index].restName]))
                index = nodes[index].restChild
            }
        }
        let methodIndex = methods.firstIndex(of: method) ?? {
            precondition(methods.count < UInt64.bitWidth, "A router supports at most 64 distinct methods")
            methods.append(method)
            return methods.count - 1
        }()
        if let existing = self.route(at: index, method: methodIndex) { return existing }
        endpoints.append(Endpoint(method: methodIndex, route: route, next: nodes[index].firstEndpoint))
        nodes[index].firstEndpoint = endpoints.count - 1
        nodes[index].methodMask |= 1 << methodIndex
        nodes[index].parameterCount = pattern.segments.count { if case .literal = $0 { false } else { true } }
        return nil
    }

    /// The route registered at `node` for `methods[method]`.
    func route(at node: Int, method: Int) -> Int? {
        var endpoint = nodes[node].firstEndpoint
        while endpoint != Self.none {
            if endpoints[endpoint].method == method { return endpoints[endpoint].route }
            endpoint = endpoints[endpoint].next
        }
        return nil
    }

    /// The index of `method` in `methods`, compared by raw value to stay off the generic `==`.
    func methodIndex(_ method: Method) -> Int? {
        methods.firstIndex { $0.rawValue == method.rawValue }
    }

    private mutating func literalChild(of node: Int, _ bytes: [UInt8]) -> Int {
        var literal = nodes[node].firstLiteral
        while literal != Self.none {
            if literalBytes[literals[literal].bytes].elementsEqual(bytes) { return literals[literal].child }
            literal = literals[literal].next
        }
        let child = appendNode()
        literals.append(Literal(bytes: literalBytes.count..<(literalBytes.count + bytes.count), child: child,
                                next: nodes[node].firstLiteral))
        literalBytes.append(contentsOf: bytes)
        nodes[node].firstLiteral = literals.count - 1
        return child
    }

    private mutating func appendNode() -> Int {
        nodes.append(Node())
        return nodes.count - 1
    }

    private mutating func intern(_ name: String) -> Int {
        names.append(name)
        return names.count - 1
    }

    private func conflict(_ source: String, _ name: String, _ earlier: String) -> String {
        "Route '\(source)' calls a parameter '\(name)' where an earlier route calls it '\(earlier)': "
            + "routes that share a position must share the parameter name"
    }
}

/// The routes' segment trie, flattened into an array of nodes that refer to each other by index,
/// so the finished trie is one immutable value that every thread can read without locks.
///
/// Resolution order at each node: the literal child, then the parameter child, then the
/// rest-capture; when a branch dead-ends deeper down, the next one is tried (backtracking), so
/// `/api/export/download` (literal) and `/api/export/{project_id}` coexist, and `/a/{x}/c` still
/// matches `/a/b/c` after the literal branch `/a/b/d` fails.
struct RouteTrie: Sendable {
    struct Node: Sendable {
        /// At most one literal child can equal a segment, so their order does not matter.
        var literals: [(bytes: [UInt8], child: Int)] = []
        var parameter: (name: String, child: Int)?
        var rest: (name: String, child: Int)?
        /// The routes that end at this node: index into `Router.routes`, per method.
        var endpoints: [(method: Method, route: Int)] = []
        /// How many values a match ending here captures, so the dictionary is sized once.
        var parameterCount = 0
    }

    private(set) var nodes = [Node()]

    /// Adds `pattern` for `method` and returns nil, or the index of the route already registered
    /// for the same method at the same node.
    mutating func insert(_ pattern: RoutePattern, source: String, method: Method, route: Int) -> Int? {
        var index = 0
        for segment in pattern.segments {
            switch segment {
            case .literal(let text):
                let bytes = Array(text.utf8)
                if let existing = nodes[index].literals.first(where: { $0.bytes == bytes }) {
                    index = existing.child
                } else {
                    let child = appendNode()
                    nodes[index].literals.append((bytes, child))
                    index = child
                }
            case .parameter(let name):
                if let existing = nodes[index].parameter {
                    precondition(existing.name == name, conflict(source, name, existing.name))
                    index = existing.child
                } else {
                    let child = appendNode()
                    nodes[index].parameter = (name, child)
                    index = child
                }
            case .rest(let name):
                if let existing = nodes[index].rest {
                    precondition(existing.name == name, conflict(source, name, existing.name))
                    index = existing.child
                } else {
                    let child = appendNode()
                    nodes[index].rest = (name, child)
                    index = child
                }
            }
        }
        if let existing = nodes[index].endpoints.first(where: { $0.method == method }) {
            return existing.route
        }
        nodes[index].endpoints.append((method, route))
        nodes[index].parameterCount = pattern.segments.count { if case .literal = $0 { false } else { true } }
        return nil
    }

    private mutating func appendNode() -> Int {
        nodes.append(Node())
        return nodes.count - 1
    }

    private func conflict(_ source: String, _ name: String, _ earlier: String) -> String {
        "Route '\(source)' calls a parameter '\(name)' where an earlier route calls it '\(earlier)': "
            + "routes that share a position must share the parameter name"
    }
}

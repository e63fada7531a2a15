/// A route pattern split into its segments, checked once at registration.
///
/// Patterns are `/`-separated: a literal (`export`), a parameter that captures one segment (`{id}`),
/// or, last only, a rest-capture (`{path...}`) that takes every remaining segment (at least one),
/// joined by "/". Literals are compared with the percent-decoded request segment, so write them
/// decoded. A trailing slash is dropped, so `/a/` and `/a` are the same pattern.
struct RoutePattern: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case rest(String)
    }

    let segments: [Segment]

    /// Traps on a malformed pattern: patterns are written in source code, so a bad one is a
    /// programmer error that should stop the server at start-up, not a request-time failure.
    init(_ pattern: String) {
        precondition(pattern.hasPrefix("/"), "Route pattern '\(pattern)' must start with '/'")
        var pieces = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if pieces.last == "" { pieces = pieces.dropLast() }
        var names = Set<String>()
        var segments: [Segment] = []
        for (position, piece) in pieces.enumerated() {
            precondition(!piece.isEmpty, "Route pattern '\(pattern)' has an empty segment ('//')")
            let segment = Self.segment(piece, in: pattern)
            switch segment {
            case .literal:
                break
            case .parameter(let name), .rest(let name):
                precondition(names.insert(name).inserted, "Route pattern '\(pattern)' uses '{\(name)}' twice")
                if case .rest = segment {
                    precondition(position == pieces.count - 1,
                                 "Route pattern '\(pattern)': '{\(name)...}' must be the last segment")
                }
            }
            segments.append(segment)
        }
        self.segments = segments
    }

    private static func segment(_ piece: Substring, in pattern: String) -> Segment {
        guard piece.hasPrefix("{") else {
            precondition(!piece.contains("{") && !piece.contains("}"),
                         "Route pattern '\(pattern)': braces must enclose a whole segment")
            return .literal(String(piece))
        }
        precondition(piece.hasSuffix("}") && piece.count > 2,
                     "Route pattern '\(pattern)': '\(piece)' is not a '{name}' segment")
        var name = piece.dropFirst().dropLast()
        let isRest = name.hasSuffix("...")
        if isRest { name = name.dropLast(3) }
        precondition(!name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" },
                     "Route pattern '\(pattern)': parameter name '\(name)' must be letters, digits, '_' or '-'")
        return isRest ? .rest(String(name)) : .parameter(String(name))
    }
}

extension RouteTrie {
    /// A request path as its raw bytes. The search walks it in place: it never splits the path
    /// into an array, and it decodes only the segments it captures.
    struct Path {
        let bytes: UnsafeBufferPointer<UInt8>
        /// Where the last segment ends: one trailing slash is not significant, so it is left out.
        let end: Int
        /// Whether any `%` occurs; most paths have none, which lets literals compare raw bytes.
        let hasEscapes: Bool

        /// Nil when the path is not origin-form or an escape is malformed or decodes to invalid UTF-8.
        init?(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard bytes.first == UInt8(ascii: "/") else { return nil }
            self.bytes = bytes
            end = bytes.last == UInt8(ascii: "/") ? bytes.count - 1 : bytes.count
            hasEscapes = bytes.contains(UInt8(ascii: "%"))
            // Raw slashes can only fall on character boundaries, so the whole path decodes
            // exactly when each of its segments does: one check here covers every segment.
            if hasEscapes, PercentDecoding.decode(Substring(decoding: bytes, as: UTF8.self)) == nil {
                return nil
            }
        }

        func segmentEnd(from start: Int) -> Int {
            var index = start
            while index < end, bytes[index] != UInt8(ascii: "/") { index += 1 }
            return index
        }

        func isEscaped(_ range: Range<Int>) -> Bool {
            hasEscapes && bytes[range].contains(UInt8(ascii: "%"))
        }

        /// The decoded text of `range`, which `init` has already checked decodes.
        func decoded(_ range: Range<Int>) -> String {
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            guard isEscaped(range) else { return raw }
            guard let text = PercentDecoding.decode(raw) else { preconditionFailure("path was validated in init") }
            return text
        }

        func equals(_ literal: ArraySlice<UInt8>, _ range: Range<Int>) -> Bool {
            if isEscaped(range) { return decoded(range).utf8.elementsEqual(literal) }
            return literal.count == range.count && literal.elementsEqual(bytes[range])
        }

        /// Whether `range` holds one or more segments and none of them is empty.
        func hasOnlyNonEmptySegments(_ range: Range<Int>) -> Bool {
            var previousWasSlash = true
            for byte in bytes[range] {
                let isSlash = byte == UInt8(ascii: "/")
                if isSlash && previousWasSlash { return false }
                previousWasSlash = isSlash
            }
            return !previousWasSlash
        }
    }

    /// Depth-first search, in resolution order, for the first node ending `path` that `accept`
    /// takes. `start` is the index of the `/` before the next segment. Parameter values are decoded
    /// and stored only on the way back from a success, so abandoned branches never touch them.
    func search(_ index: Int, from start: Int, in path: Path, parameters: inout [String: String],
                accept: (Node) -> Bool) -> Int? {
        let node = nodes[index]
        if start == path.end {
            guard accept(node) else { return nil }
            if node.parameterCount > 0 { parameters.reserveCapacity(node.parameterCount) }
            return index
        }
        let segment = (start + 1)..<path.segmentEnd(from: start + 1)
        // Empty segments (`//`) never match anything, not even a rest-capture.
        guard !segment.isEmpty else { return nil }

        var literal = node.firstLiteral
        while literal != Self.none, !path.equals(literalBytes[literals[literal].bytes], segment) {
            literal = literals[literal].next
        }
        if literal != Self.none, let found = search(literals[literal].child, from: segment.upperBound, in: path,
                                                    parameters: &parameters, accept: accept) {
            return found
        }
        if node.parameterChild != Self.none,
           let found = search(node.parameterChild, from: segment.upperBound, in: path,
                              parameters: &parameters, accept: accept) {
            parameters[names[node.parameterName]] = path.decoded(segment)
            return found
        }
        if node.restChild != Self.none {
            let remainder = (start + 1)..<path.end
            let rest = nodes[node.restChild]
            guard path.hasOnlyNonEmptySegments(remainder), accept(rest) else { return nil }
            parameters.reserveCapacity(rest.parameterCount)
            parameters[names[node.restName]] = path.decoded(remainder)
            return node.restChild
        }
        return nil
    }
}

/// The values a scenario's `{name}` placeholders stand for. A `{` followed by a name (letters, digits,
/// `_`) and `}` is a placeholder; any other brace is text, so JSON bodies need no escaping. A name with
/// no value is an error in the table, reported rather than sent.
struct Placeholders {
    var values: [String: String]

    struct Unknown: Error, CustomStringConvertible {
        let name: String
        var description: String { "no value for placeholder {\(name)}" }
    }

    func fill(_ text: String) throws -> String {
        try substitute(text, fallback: nil)
    }

    /// `text` with `standIn` for every placeholder that has no value.
    func sketch(_ text: String, standIn: String) -> String {
        // With a fallback for every name, nothing is unknown and nothing throws.
        (try? substitute(text, fallback: standIn)) ?? text
    }

    private func substitute(_ text: String, fallback: String?) throws -> String {
        guard text.contains("{") else { return text }
        var out = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            let name = rest[afterOpen...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            let close = name.endIndex
            guard !name.isEmpty, close < rest.endIndex, rest[close] == "}" else {
                out.append("{")
                rest = rest[afterOpen...]
                continue
            }
            guard let value = values[String(name)] ?? fallback else { throw Unknown(name: String(name)) }
            out += value
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

import HTTP

extension Request {
    /// An integer query parameter within `range`, `value` when absent; refused naming it otherwise.
    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let text = query[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// A boolean query parameter, nil when absent or empty (as a form's "any" sends it). Python's
    /// `requests` sends `True`/`False` for booleans and other clients `1`/`0`, `yes`/`no` or `on`/`off`,
    /// so every one of those is read, in any case; anything else is refused naming the parameter.
    func boolean(_ name: String) throws(APIError) -> Bool? {
        guard let text = query[name], !text.isEmpty else { return nil }
        switch text.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw APIError.invalid(name, "must be true or false (or 1/0, yes/no, on/off)")
        }
    }
}

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

    /// The server as this client reached it (from `Host`), so links in answers work from where it stands.
    var baseURL: String { "http://\(headers["host"] ?? "localhost")" }
}

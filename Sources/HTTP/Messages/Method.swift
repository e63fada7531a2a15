/// An HTTP request method. A struct, not an enum: methods are an open set (RFC 9110 §9.1)
/// and the router answers 405 for one no route of a known path takes (404 where no path matches),
/// rather than the parser refusing it.
public struct Method: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let get = Method("GET")
    public static let head = Method("HEAD")
    public static let post = Method("POST")
    public static let put = Method("PUT")
    public static let patch = Method("PATCH")
    public static let delete = Method("DELETE")
    public static let options = Method("OPTIONS")

    public var description: String { rawValue }
}

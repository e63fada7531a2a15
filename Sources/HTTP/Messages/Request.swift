import Foundation

/// A complete request as a handler sees it: head, body, route parameters and identity.
public struct Request: Sendable {
    public let head: RequestHead
    public let body: RequestBody
    /// Percent-decoded values of the route's `{name}` segments.
    public var pathParameters: [String: String]
    public let query: QueryParameters
    /// Echoed as `X-Request-Id` and written in the access log, so a client's report can be found in the log.
    public let requestID: String
    public let remoteAddress: String
    /// The server's address and port the connection arrived at, as a URL authority (`127.0.0.1:8080`,
    /// `[::1]:8080`); nil for a request that came over no socket (the in-process tests).
    public let localAddress: String?

    public init(head: RequestHead, body: RequestBody, pathParameters: [String: String] = [:],
                requestID: String, remoteAddress: String, localAddress: String? = nil) {
        self.head = head
        self.body = body
        self.pathParameters = pathParameters
        self.query = QueryParameters(rawQuery: head.query)
        self.requestID = requestID
        self.remoteAddress = remoteAddress
        self.localAddress = localAddress
    }

    public var method: Method { head.method }
    public var path: String { head.path }
    public var headers: HTTPFields { head.headers }

    public func parameter(_ name: String) -> String? { pathParameters[name] }
}

/// A request body, held in memory when small and spooled to a temporary file when large,
/// so a multi-gigabyte upload never sits in memory.
public enum RequestBody: Sendable {
    case empty
    case bytes([UInt8])
    case file(SpooledFile)

    public var count: Int {
        switch self {
        case .empty: 0
        case .bytes(let bytes): bytes.count
        case .file(let file): file.size
        }
    }

    /// The whole body in memory; nil when it was spooled and is larger than `limit`.
    public func data(limit: Int = 16 << 20) throws -> [UInt8]? {
        switch self {
        case .empty: return []
        case .bytes(let bytes): return bytes
        case .file(let file):
            guard file.size <= limit else { return nil }
            return try [UInt8](Data(contentsOf: URL(fileURLWithPath: file.path)))
        }
    }
}

/// A body spooled to disk. The server removes the file once the response is written; a handler
/// that wants to keep it must move or copy it first.
public struct SpooledFile: Sendable {
    public let path: String
    public let size: Int

    public init(path: String, size: Int) {
        self.path = path
        self.size = size
    }
}

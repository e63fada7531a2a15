import HTTP

/// A request as the scenario runner sends it: placeholders filled, body encoded.
struct TransportRequest: Sendable {
    let method: Method
    /// Path and query.
    let target: String
    let headers: [(name: String, value: String)]
    let body: [UInt8]
}

struct TransportResponse: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// How a scenario's requests reach the server: through the router in this process, or over a socket
/// to the real binary. Both must answer every scenario alike.
protocol Transport: Sendable {
    func send(_ request: TransportRequest) throws -> TransportResponse
}

enum TransportKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case inProcess = "in process"
    case live = "live binary"

    var description: String { rawValue }
}

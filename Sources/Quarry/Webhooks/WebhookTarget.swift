import Foundation

/// Checks a webhook's URL and headers when a job is created, so a bad one fails the request
/// rather than every delivery later. Where the URL resolves to is checked at each delivery.
enum WebhookTarget {
    static func validate(url: String?, headers: [String: String]) throws {
        if let url {
            guard url.count <= 2048, let components = URLComponents(string: url),
                  let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = components.host, !host.isEmpty else {
                throw HITLError.invalid(field: "webhook_url", reason: "must be an http or https URL")
            }
        } else if !headers.isEmpty {
            throw HITLError.invalid(field: "webhook_headers", reason: "need a webhook_url")
        }
        guard headers.count <= 50 else { throw HITLError.invalid(field: "webhook_headers", reason: "at most 50 headers") }
        let reserved: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "content-type"]
        for (name, value) in headers {
            let validName = !name.isEmpty && name.utf8.allSatisfy { byte in
                (byte >= 0x21 && byte <= 0x7E) && !"()<>@,;:\\\"/[]?={}".utf8.contains(byte)
            }
            guard validName, !reserved.contains(name.lowercased()), !name.lowercased().hasPrefix("x-quarry-") else {
                throw HITLError.invalid(field: "webhook_headers", reason: "'\(name.prefix(100))' is not a header name Quarry can send")
            }
            guard value.count <= 4096, !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) else {
                throw HITLError.invalid(field: "webhook_headers", reason: "the value of '\(name.prefix(100))' contains control characters")
            }
        }
    }
}

import Foundation
import HTTP
import Quarry

/// The one rule for the base of the absolute URLs Quarry writes (the JTheta export redirect, the base a
/// HITL job keeps for its `image`): `QUARRY_PUBLIC_URL` when set; else `http://` and the request's
/// `Host`, where a proxy in `QUARRY_TRUSTED_PROXIES` (the direct peer, not any address a header names)
/// may replace the scheme with `X-Forwarded-Proto` and the host with `X-Forwarded-Host`. Header values
/// are pasted into a URL only when they are plain authorities (`Authority`): a `Host` that is missing
/// or is not one gives way to the address the connection arrived at, so no client can point a link at
/// another scheme, path or user.
public struct PublicURLs: Sendable {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    let publicURL: String?
    let trustedProxies: [AddressBlock]

    public init(publicURL: String?, trustedProxies: [AddressBlock]) {
        self.publicURL = publicURL
        self.trustedProxies = trustedProxies
    }

    /// `scheme://host[:port][/path]` with no trailing slash, no query, fragment or user.
    func base(of request: Request) -> String {
        if let publicURL { return publicURL }
        var scheme = "http"
        var host = request.headers["host"].flatMap(Authority.validated)
        if isTrusted(request.remoteAddress) {
            if let proto = Self.lastValue("X-Forwarded-Proto", of: request)?.lowercased(), proto == "http" || proto == "https" {
                scheme = proto
            }
            if let forwarded = Self.lastValue("X-Forwarded-Host", of: request).flatMap(Authority.validated) { host = forwarded }
        }
        return "\(scheme)://\(host ?? request.localAddress ?? "localhost")"
    }

    /// `QUARRY_PUBLIC_URL` as links are built from it: an `http` or `https` URL of a plain authority
    /// and an optional path of unreserved characters (for a server behind a path prefix), the
    /// scheme and host lowercased and trailing slashes dropped.
    public static func checked(publicURL text: String) throws(Invalid) -> String {
        let invalid = Invalid(description: "QUARRY_PUBLIC_URL must be an http or https URL such as https://quarry.example.com or https://example.com/quarry (no query, fragment or user), not '\(text)'")
        let lowered = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else { throw invalid }
        let rest = text.dropFirst(scheme.count)
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let authority = Authority.validated(String(rest[..<authorityEnd])) else { throw invalid }
        var path = rest[authorityEnd...]
        while path.hasSuffix("/") { path = path.dropLast() }
        let unreserved = { (byte: UInt8) in
            (0x61...0x7a).contains(byte | 0x20) || (0x30...0x39).contains(byte) || "-._~/".utf8.contains(byte)
        }
        guard path.utf8.allSatisfy(unreserved), !path.contains("//") else { throw invalid }
        return scheme + authority + path
    }

    private func isTrusted(_ peer: String) -> Bool {
        guard !trustedProxies.isEmpty, let address = IPAddress(peer)?.unmapped else { return false }
        return trustedProxies.contains { $0.contains(address) }
    }

    /// The value the nearest proxy added: the last of a comma list over every line of the field.
    /// Values further left came from further away, the client itself among them.
    private static func lastValue(_ name: String, of request: Request) -> String? {
        guard let last = request.headers.values(name).last?.split(separator: ",", omittingEmptySubsequences: false).last else {
            return nil
        }
        return last.trimmingCharacters(in: .whitespaces)
    }
}

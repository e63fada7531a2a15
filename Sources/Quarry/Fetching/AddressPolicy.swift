import Foundation

/// Which destination addresses the server may connect to when it fetches a URL a user gave it.
/// The default keeps user URLs away from loopback, the private network and cloud metadata
/// services (server-side request forgery); a self-hoster who fetches from their own network
/// opens exactly the blocks they name.
public struct AddressPolicy: Sendable, Equatable {
    /// Public unicast addresses only.
    public static let publicOnly = AddressPolicy(allowsEverything: false, extraBlocks: [])
    /// Any address: QUARRY_ALLOW_PRIVATE_URLS=1, for a server that only trusted users reach.
    public static let allowAll = AddressPolicy(allowsEverything: true, extraBlocks: [])

    private let allowsEverything: Bool
    private let extraBlocks: [AddressBlock]

    public struct InvalidSetting: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    private init(allowsEverything: Bool, extraBlocks: [AddressBlock]) {
        self.allowsEverything = allowsEverything
        self.extraBlocks = extraBlocks
    }

    /// From QUARRY_ALLOW_PRIVATE_URLS: unset, "" or "0" is public-only; "1" or "true" allows
    /// everything; otherwise a comma-separated list of CIDR blocks allowed besides public addresses,
    /// e.g. "127.0.0.2/32,10.1.0.0/16,fd00::/8".
    public init(setting: String?) throws(InvalidSetting) {
        let value = (setting ?? "").trimmingCharacters(in: .whitespaces)
        switch value.lowercased() {
        case "", "0", "false":
            self = .publicOnly
        case "1", "true":
            self = .allowAll
        default:
            do {
                self.init(allowsEverything: false, extraBlocks: try AddressBlock.list(parsing: value))
            } catch {
                throw InvalidSetting(description: "QUARRY_ALLOW_PRIVATE_URLS: \(error.description); expected 0, 1 or a comma-separated list of CIDR blocks such as 10.1.0.0/16")
            }
        }
    }

    public func allows(_ address: IPAddress) -> Bool {
        if allowsEverything || address.isPublic { return true }
        // A socket to ::ffff:10.1.2.3 reaches 10.1.2.3, so an IPv4 block covers that spelling too.
        let reached = address.unmapped
        return extraBlocks.contains { $0.contains(reached) }
    }
}

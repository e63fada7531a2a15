import Foundation

/// A CIDR block such as `10.1.0.0/16` or `fd00::/8`.
public struct AddressBlock: Sendable, Equatable {
    let network: IPAddress
    let prefixLength: Int

    init(v4 base: UInt32, prefixLength: Int) {
        network = .v4(base)
        self.prefixLength = prefixLength
    }

    /// Parses `address/length`; a bare address is a block of one. Host bits beyond the prefix are
    /// refused rather than masked, since `10.1.2.3/16` is more likely a typo than an intent.
    public init(parsing text: String) throws(AddressPolicy.InvalidSetting) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else {
            throw AddressPolicy.InvalidSetting(description: "\"\(text)\" is not an IP address or CIDR block")
        }
        let maximum = address.bitCount
        var length = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), (0 ... maximum).contains(given) else {
                throw AddressPolicy.InvalidSetting(description: "\"\(text)\" needs a prefix length from 0 to \(maximum)")
            }
            length = given
        }
        network = address
        prefixLength = length
        guard address.bits.enumerated().allSatisfy({ $0.offset < length || !$0.element }) else {
            throw AddressPolicy.InvalidSetting(description: "\"\(text)\" has bits set past /\(length)")
        }
    }

    /// Blocks from a comma list (`127.0.0.2/32, 10.1.0.0/16, fd00::/8`); the first item that is not one is the error.
    public static func list(parsing text: String) throws(AddressPolicy.InvalidSetting) -> [AddressBlock] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { item throws(AddressPolicy.InvalidSetting) in
            try AddressBlock(parsing: item.trimmingCharacters(in: .whitespaces))
        }
    }

    public func contains(_ address: IPAddress) -> Bool {
        let candidate = address.bits
        let base = network.bits
        guard candidate.count == base.count else { return false }
        return candidate.prefix(prefixLength).elementsEqual(base.prefix(prefixLength))
    }
}

extension AddressBlock: CustomStringConvertible {
    public var description: String { "\(network)/\(prefixLength)" }
}

extension IPAddress {
    var bitCount: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// Most significant bit first; blocks are few and short-lived, so clarity beats bit twiddling.
    var bits: [Bool] {
        switch self {
        case .v4(let value): (0 ..< 32).map { value & (1 << (31 - UInt32($0))) != 0 }
        case .v6(let bytes): bytes.flatMap { byte in (0 ..< 8).map { byte & (0x80 >> UInt8($0)) != 0 } }
        }
    }
}

import Foundation

/// An IPv4 or IPv6 address as the kernel sees it, for deciding whether the server may connect there.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Host byte order: 127.0.0.1 is 0x7f00_0001.
    case v4(UInt32)
    /// Always 16 bytes, network order.
    case v6([UInt8])

    /// Strict dotted-quad or RFC 4291 text (what inet_pton accepts); no brackets, no zone.
    /// The odd spellings a URL may use (`0x7f000001`, `2130706433`) are left to curl's resolver,
    /// whose answer the fetcher checks, so they need no parser here.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// Reads a `sockaddr_in` or `sockaddr_in6`; nil for any other family.
    init?(socketAddress pointer: UnsafeRawPointer, length: Int) {
        let family = pointer.load(as: sockaddr.self).sa_family
        if family == sa_family_t(AF_INET), length >= MemoryLayout<sockaddr_in>.size {
            let address = pointer.loadUnaligned(as: sockaddr_in.self)
            self = .v4(UInt32(bigEndian: address.sin_addr.s_addr))
        } else if family == sa_family_t(AF_INET6), length >= MemoryLayout<sockaddr_in6>.size {
            var address = pointer.loadUnaligned(as: sockaddr_in6.self).sin6_addr
            self = .v6(withUnsafeBytes(of: &address) { Array($0) })
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .v4(let value):
            return [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
        case .v6(let bytes):
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(16)) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Whether this is a globally routable unicast address: the only kind a user-given URL may reach
    /// by default. IPv6 forms that carry an IPv4 address are judged by that address, because the
    /// packet ends up there (directly for mapped forms, through a gateway for NAT64 and 6to4).
    public var isPublic: Bool {
        switch self {
        case .v4:
            return !Self.nonPublicV4.contains { $0.contains(self) }
        case .v6(let bytes):
            // A malformed value refuses rather than traps.
            guard bytes.count == 16 else { return false }
            if let embedded = embeddedIPv4 { return embedded.isPublic }
            // Everything outside 2000::/3 (global unicast) is loopback, unspecified, unique-local,
            // link-local, multicast or unassigned.
            guard bytes[0] & 0xe0 == 0x20 else { return false }
            // 2001::/23 holds IETF special-purpose blocks: Teredo 2001::/32 (tunnels to an arbitrary
            // IPv4 address), benchmarking, ORCHID. No image host lives there.
            if bytes[0] == 0x20, bytes[1] == 0x01, bytes[2] & 0xfe == 0 { return false }
            // 2001:db8::/32, documentation.
            if bytes[0 ..< 4].elementsEqual([0x20, 0x01, 0x0d, 0xb8]) { return false }
            return true
        }
    }

    /// The IPv4 address inside IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, which also
    /// covers :: and ::1), NAT64 (64:ff9b::/96) and 6to4 (2002:AABB:CCDD::/48) addresses.
    var embeddedIPv4: IPAddress? {
        guard case .v6(let bytes) = self, bytes.count == 16 else { return nil }
        func v4(at start: Int) -> IPAddress {
            .v4(bytes[start ..< start + 4].reduce(0) { $0 << 8 | UInt32($1) })
        }
        if bytes[0 ..< 10].allSatisfy({ $0 == 0 }), (bytes[10] == 0 && bytes[11] == 0) || (bytes[10] == 0xff && bytes[11] == 0xff) {
            return v4(at: 12)
        }
        if bytes[0 ..< 12].elementsEqual([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]) { return v4(at: 12) }
        if bytes[0] == 0x20, bytes[1] == 0x02 { return v4(at: 2) }
        return nil
    }

    /// The IPv4 address a socket to ::ffff:a.b.c.d actually reaches; other addresses unchanged.
    public var unmapped: IPAddress {
        if case .v6(let bytes) = self, bytes[0 ..< 10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return embeddedIPv4 ?? self
        }
        return self
    }

    /// IANA special-purpose IPv4 blocks (RFC 6890 and successors) that are not globally reachable.
    private static let nonPublicV4: [AddressBlock] = [
        AddressBlock(v4: 0x0000_0000, prefixLength: 8),  // 0.0.0.0/8 "this network"; 0.0.0.0 reaches the local host
        AddressBlock(v4: 0x0a00_0000, prefixLength: 8),  // 10/8 private
        AddressBlock(v4: 0x6440_0000, prefixLength: 10), // 100.64/10 carrier-grade NAT
        AddressBlock(v4: 0x7f00_0000, prefixLength: 8),  // 127/8 loopback
        AddressBlock(v4: 0xa9fe_0000, prefixLength: 16), // 169.254/16 link-local, where cloud metadata services live
        AddressBlock(v4: 0xac10_0000, prefixLength: 12), // 172.16/12 private
        AddressBlock(v4: 0xc000_0000, prefixLength: 24), // 192.0.0/24 IETF protocol assignments
        AddressBlock(v4: 0xc000_0200, prefixLength: 24), // 192.0.2/24 documentation
        AddressBlock(v4: 0xc0a8_0000, prefixLength: 16), // 192.168/16 private
        AddressBlock(v4: 0xc612_0000, prefixLength: 15), // 198.18/15 benchmarking
        AddressBlock(v4: 0xc633_6400, prefixLength: 24), // 198.51.100/24 documentation
        AddressBlock(v4: 0xcb00_7100, prefixLength: 24), // 203.0.113/24 documentation
        AddressBlock(v4: 0xe000_0000, prefixLength: 4),  // 224/4 multicast
        AddressBlock(v4: 0xf000_0000, prefixLength: 4),  // 240/4 reserved, including broadcast 255.255.255.255
    ]
}

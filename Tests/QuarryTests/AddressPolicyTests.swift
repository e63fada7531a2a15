@testable import Quarry
import Testing

struct AddressPolicyTests {
    private static let nonPublic = [
        "127.0.0.1", "127.255.255.254", "::1",
        "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12:3456::1",
        "169.254.169.254", "fe80::1", "febf::1",
        "224.0.0.1", "239.255.255.250", "ff02::1", "ff0e::1",
        "0.0.0.0", "0.1.2.3", "::",
        "100.64.0.1", "100.127.255.255", "198.18.0.1", "198.19.255.255",
        "240.0.0.1", "255.255.255.255",
        "192.0.2.1", "198.51.100.7", "203.0.113.9", "2001:db8::1", "192.0.0.8",
        // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4.
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::10.0.0.1",
        "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::1", "2002:c0a8:101::",
        // Teredo and the rest of the IETF block; outside 2000::/3.
        "2001::1", "2001:0:4136:e378::1", "2001:2::1", "100::1", "4000::1",
    ]

    @Test(arguments: nonPublic)
    func specialPurposeAddressesAreNotPublic(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(!address.isPublic)
        #expect(!AddressPolicy.publicOnly.allows(address))
        #expect(AddressPolicy.allowAll.allows(address))
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "2a00:1450:4001::200e",
                      "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])
    func globalUnicastAddressesArePublic(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(address.isPublic)
        #expect(AddressPolicy.publicOnly.allows(address))
    }

    @Test func addressesParseStrictlyAndPrintCanonically() {
        #expect(IPAddress("127.0.0.1") == .v4(0x7f00_0001))
        #expect(IPAddress("127.0.0.1")?.description == "127.0.0.1")
        #expect(IPAddress("2606:4700:0:0::1111")?.description == "2606:4700::1111")
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "::ffff:127.0.0.1")
        #expect(!IPAddress.v6([0x26, 0x06]).isPublic)
        for odd in ["0x7f000001", "2130706433", "127.1", "017700000001", "[::1]", "localhost", "", "1.2.3.4/8"] {
            #expect(IPAddress(odd) == nil, "\(odd)")
        }
    }

    @Test func settingSelectsThePolicy() throws {
        for off in [nil, "", "0", " 0 ", "false"] { #expect(try AddressPolicy(setting: off) == .publicOnly) }
        for on in ["1", "true", "TRUE"] { #expect(try AddressPolicy(setting: on) == .allowAll) }
    }

    @Test func blocksInTheSettingAreAllowedBesidesPublicAddresses() throws {
        let policy = try AddressPolicy(setting: "127.0.0.2/32, 10.1.0.0/16,fd00::/8,192.168.5.5")
        for allowed in ["127.0.0.2", "10.1.0.1", "10.1.255.255", "fd00::1", "fdff:1::2", "192.168.5.5", "8.8.8.8", "::ffff:10.1.2.3"] {
            #expect(policy.allows(IPAddress(allowed)!), "\(allowed)")
        }
        for refused in ["127.0.0.1", "127.0.0.3", "10.2.0.1", "fc00::1", "192.168.5.6", "169.254.169.254", "::1"] {
            #expect(!policy.allows(IPAddress(refused)!), "\(refused)")
        }
        #expect(try AddressPolicy(setting: "0.0.0.0/0").allows(IPAddress("10.9.9.9")!))
        #expect(!(try AddressPolicy(setting: "0.0.0.0/0").allows(IPAddress("fd00::1")!)))
    }

    @Test(arguments: ["yes", "10.0.0.0/33", "10.0.0.1/8", "fd00::/129", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/+8",
                      "10.0.0.0/8,,", "localhost", "0x7f000001/32", "2"])
    func malformedSettingsAreRejected(_ setting: String) {
        #expect(throws: AddressPolicy.InvalidSetting.self) { try AddressPolicy(setting: setting) }
    }

    @Test func aRejectedSettingSaysWhatWasWrong() {
        #expect {
            try AddressPolicy(setting: "10.1.2.3/16")
        } throws: { error in
            let text = (error as? AddressPolicy.InvalidSetting)?.description ?? ""
            return text.contains("QUARRY_ALLOW_PRIVATE_URLS") && text.contains("10.1.2.3/16") && text.contains("/16")
        }
    }
}

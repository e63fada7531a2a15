@testable import Quarry
import Testing

/// The moment's cache of verified API keys: kept by the key's hash for its lifetime, then checked again,
/// forgotten with its account's keys, and never past its capacity.
struct VerifiedKeysTests {
    static let account = Account(id: "acct_1", name: "one", createdAt: "2026-12-06T00:00:00Z")
    static let other = Account(id: "acct_2", name: "two", createdAt: "2026-12-06T00:00:00Z")

    @Test func aKeyIsTrustedForItsLifetimeOnly() {
        let lasting = VerifiedKeys(lifetime: .seconds(3600))
        lasting.remember("qk_a", for: Self.account)
        #expect(lasting.account(for: "qk_a") == Self.account)
        #expect(lasting.account(for: "qk_b") == nil)
        let lapsed = VerifiedKeys(lifetime: .zero)
        lapsed.remember("qk_a", for: Self.account)
        #expect(lapsed.account(for: "qk_a") == nil, "past its lifetime a key is checked again")
    }

    @Test func forgettingAnAccountForgetsOnlyItsKeys() {
        let keys = VerifiedKeys(lifetime: .seconds(3600))
        keys.remember("qk_a", for: Self.account)
        keys.remember("qk_a2", for: Self.account)
        keys.remember("qk_b", for: Self.other)
        keys.forget(accountID: Self.account.id)
        #expect(keys.account(for: "qk_a") == nil && keys.account(for: "qk_a2") == nil)
        #expect(keys.account(for: "qk_b") == Self.other)
    }

    @Test func pastItsCapacityTheCacheStartsOver() {
        let keys = VerifiedKeys(lifetime: .seconds(3600))
        for index in 0..<VerifiedKeys.capacity { keys.remember("qk_\(index)", for: Self.account) }
        #expect(keys.account(for: "qk_0") == Self.account)
        keys.remember("qk_one_more", for: Self.other)
        #expect(keys.account(for: "qk_0") == nil && keys.account(for: "qk_one_more") == Self.other)
    }
}

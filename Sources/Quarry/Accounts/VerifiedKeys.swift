import Crypto
import Foundation
import Synchronization

/// API keys verified against the database in the last moment, by the SHA-256 of the key, so that a
/// client's requests do not each open a read transaction to learn what the last one learned.
///
/// An entry is trusted for `lifetime` after its verification and then checked again. That bound is what
/// makes a key rotated or revoked by another process (`quarry admin account rotate-key` beside a running
/// server) stop working within it, with nothing to signal across processes; a change made in this process
/// forgets the account's entries at once. Only keys that verified are kept, at most `capacity` of them.
final class VerifiedKeys: Sendable {
    static let lifetime: Duration = .milliseconds(500)
    static let capacity = 10_000

    private struct Entry {
        let account: Account
        let verified: ContinuousClock.Instant
    }

    private let entries = Mutex<[[UInt8]: Entry]>([:])
    private let lifetime: Duration

    init(lifetime: Duration = VerifiedKeys.lifetime) {
        self.lifetime = lifetime
    }

    /// The account `key` was verified for within the lifetime, or nil.
    func account(for key: String) -> Account? {
        let digest = SHA256.hash(Array(key.utf8))
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let entry = entries[digest] else { return nil }
            guard now - entry.verified < lifetime else {
                entries[digest] = nil
                return nil
            }
            return entry.account
        }
    }

    func remember(_ key: String, for account: Account) {
        let digest = SHA256.hash(Array(key.utf8))
        let entry = Entry(account: account, verified: .now)
        entries.withLock { entries in
            // Past the capacity the cache starts over rather than tracking ages: it refills at one read each.
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[digest] = entry
        }
    }

    /// Forgets every key of `accountID`: its keys changed in this process.
    func forget(accountID: String) {
        entries.withLock { entries in entries = entries.filter { $0.value.account.id != accountID } }
    }
}

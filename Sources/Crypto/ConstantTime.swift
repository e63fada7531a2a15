import CCrypto

public enum ConstantTime {
    /// Compares without an early exit, so the time taken says nothing about where two secrets differ.
    /// Lengths are not secret here: callers compare fixed-size digests.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }
}

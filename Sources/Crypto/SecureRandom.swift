import CCrypto

/// Bytes from OpenSSL's CSPRNG, for keys, tokens and identifiers that must not be guessable.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        // RAND_bytes fails only when the generator cannot be seeded; handing out predictable keys would be worse than stopping.
        precondition(ok == 1, "OpenSSL's random generator failed")
        return bytes
    }

    /// `count` random bytes as lowercase hex, e.g. for `proj-1a2b3c4d` style identifiers.
    public static func hex(bytes count: Int) -> String {
        Hex.encode(bytes(count))
    }
}

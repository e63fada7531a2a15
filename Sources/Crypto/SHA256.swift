import CCrypto
import Foundation

/// SHA-256 through OpenSSL's EVP interface, one-shot or incremental for streams too large to hold in memory.
public struct SHA256: ~Copyable {
    public static let byteCount = 32

    private let context: OpaquePointer

    /// OpenSSL 3's implementation, fetched once: naming `EVP_sha256()` at each init makes OpenSSL look the
    /// provider up again every time, a cost a per-request key hash paid for nothing. A fetched algorithm is
    /// immutable and shared safely between threads.
    nonisolated(unsafe) private static let algorithm: OpaquePointer = {
        guard let fetched = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("OpenSSL has no SHA-256") }
        return fetched
    }()

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, Self.algorithm, nil) == 1 else {
            // Only allocation failure makes these fail; there is nothing sensible to continue with.
            fatalError("OpenSSL could not initialise a SHA-256 context")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public mutating func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { update($0) }
    }

    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        digest.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return digest
    }

    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

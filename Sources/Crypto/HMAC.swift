import CCrypto
import Foundation

/// HMAC-SHA256, used to sign webhook payloads and expiring download tokens.
public enum HMAC {
    public static func sha256(key: some ContiguousBytes, message: some ContiguousBytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
        var length: UInt32 = 0
        key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                digest.withUnsafeMutableBufferPointer { out in
                    _ = CCrypto.HMAC(EVP_sha256(), key.baseAddress, Int32(key.count),
                                     message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count,
                                     out.baseAddress, &length)
                }
            }
        }
        return digest
    }
}

import Crypto

/// Public identifiers: a type prefix plus random hex from the CSPRNG (`acct-1a2b3c4d5e6f`), so
/// ids reveal neither counts nor creation order and cannot be guessed from one another.
public enum ID {
    public static func make(_ prefix: String) -> String {
        "\(prefix)-\(SecureRandom.hex(bytes: 6))"
    }
}

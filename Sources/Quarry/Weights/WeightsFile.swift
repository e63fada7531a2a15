/// A weights file an experiment may start from: uploaded by an account, or found in the server's weights
/// folder (`QUARRY_WEIGHTS_DIR`) and seen by every account. Read whole when it came, so what it fits and
/// its counts are known without reading it again.
public struct WeightsFile: Sendable, Equatable {
    public enum Source: String, Sendable {
        case upload, folder
    }

    /// What experiments name it by: unique among an account's uploads and the folder's files.
    public let name: String
    public let format: WeightsFormat
    /// The zoo backbone it holds whole; nil where it holds neither (a file of other tensors).
    public let fit: WeightsFit?
    public let tensorCount: Int
    /// Values of every tensor, batch-norm statistics and counters included.
    public let parameterCount: Int
    /// Of the file's bytes, as hex.
    public let sha256: String
    public let byteCount: Int
    public let source: Source
    /// When it was uploaded; for a folder's file, when the file was last modified.
    public let createdAt: String

    /// Names are 1 to 128 letters, digits, `.`, `_` or `-`, not starting with `.`: safe in a URL path and
    /// as a file's name, and never a hidden file's or `..`.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...128).contains(name.utf8.count), name.first != "." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}

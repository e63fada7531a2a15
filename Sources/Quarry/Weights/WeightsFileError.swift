/// Why a weights file was refused, or is not there.
public enum WeightsFileError: Error, Equatable, CustomStringConvertible {
    /// Not 1 to 128 letters, digits, `.`, `_` or `-`, or starting with `.` (`WeightsFile.isValidName`).
    case invalidName(String)
    /// The account has an upload of that name, or the weights folder a file of it.
    case nameTaken(String)
    /// Neither the account's upload nor a file of the folder: another account's upload is not found either.
    case notFound(String)
    /// Larger than `QUARRY_MAX_WEIGHTS_BYTES`; nothing of it was read.
    case tooLarge(limit: Int)
    /// Not a weights file Quarry reads, with what is wrong (a `WeightsError`'s description, most often).
    case unreadable(String)
    /// A file of the weights folder: the server's administrator's, not removable through the API.
    case inFolder(String)

    public var description: String {
        switch self {
        case .invalidName(let name): "'\(name.prefix(200))' is not a weights name: \(Self.nameRule)"
        case .nameTaken(let name): "weights named '\(name)' already exist"
        case .notFound(let name): "weights '\(name.prefix(200))' not found"
        case .tooLarge(let limit): "the file is larger than \(limit) bytes (QUARRY_MAX_WEIGHTS_BYTES)"
        case .unreadable(let reason): reason
        case .inFolder(let name):
            "weights '\(name)' are a file of the server's weights folder (QUARRY_WEIGHTS_DIR): remove the file there and restart to remove them"
        }
    }

    public static let nameRule = "1 to 128 letters, digits, '.', '_' or '-', not starting with '.'"
}

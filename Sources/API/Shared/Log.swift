import Foundation

/// Diagnostics on stderr, beside the access log.
enum Log {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}

/// Entry names as they go into or come out of an archive. Whoever unzips an export may use any
/// tool on any system, and an uploaded archive may have been made to escape the folder it is
/// extracted into, so a name must mean the same relative file to every tool. Package-visible for the fuzzer.
package enum ZipEntryName {
    /// The UTF-8 bytes of `name` (a Swift string is always valid UTF-8), or why it is refused.
    static func validate(_ name: String) throws(ZipError) -> [UInt8] {
        let bytes = Array(name.utf8)
        if let reason = problem(with: name) { throw .unsafeName(name, reason: reason) }
        // The name's length is a 16-bit field.
        guard bytes.count <= 0xFFFF else { throw .unsafeName(name, reason: "it is longer than 65,535 bytes") }
        return bytes
    }

    /// Why `name`, a file's relative path, is unsafe, or nil when it is not. A directory entry's
    /// trailing "/" is the caller's to remove first.
    package static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty else { return "it is empty" }
        guard bytes.first != UInt8(ascii: "/") else { return "it is absolute" }
        // Windows tools read a backslash as a separator and a colon as a drive or stream name.
        guard !bytes.contains(UInt8(ascii: "\\")) else { return "it contains a backslash" }
        guard !bytes.contains(UInt8(ascii: ":")) else { return "it contains a colon" }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return "it contains a control character" }
        // "." and ".." climb out of the folder; an empty component (a trailing "/") names a directory.
        for component in name.split(separator: "/", omittingEmptySubsequences: false)
        where component.isEmpty || component == "." || component == ".." {
            return "it has an empty, \".\" or \"..\" component"
        }
        return nil
    }
}

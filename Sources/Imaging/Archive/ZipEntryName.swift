/// Entry names as they go into the archive. Whoever unzips an export may use any tool on any
/// system, so a name must mean the same relative file to all of them.
enum ZipEntryName {
    /// The UTF-8 bytes of `name` (a Swift string is always valid UTF-8), or why it is refused.
    static func validate(_ name: String) throws(ZipError) -> [UInt8] {
        let bytes = Array(name.utf8)
        func refuse(_ reason: String) -> ZipError { .unsafeName(name, reason: reason) }
        guard !bytes.isEmpty else { throw refuse("it is empty") }
        // The name's length is a 16-bit field.
        guard bytes.count <= 0xFFFF else { throw refuse("it is longer than 65,535 bytes") }
        guard bytes.first != UInt8(ascii: "/") else { throw refuse("it is absolute") }
        // Windows tools read a backslash as a separator and a colon as a drive or stream name.
        guard !bytes.contains(UInt8(ascii: "\\")) else { throw refuse("it contains a backslash") }
        guard !bytes.contains(UInt8(ascii: ":")) else { throw refuse("it contains a colon") }
        guard !bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw refuse("it contains a control character")
        }
        // "." and ".." climb out of the folder; an empty component (a trailing "/") names a directory.
        for component in name.split(separator: "/", omittingEmptySubsequences: false)
        where component.isEmpty || component == "." || component == ".." {
            throw refuse("it has an empty, \".\" or \"..\" component")
        }
        return bytes
    }
}

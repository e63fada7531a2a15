import Glibc

/// Diagnostic lines on stderr, beside the access log (which batches its own writes). Unbuffered:
/// these are rare and must not sit in a buffer when the process dies.
public enum Diagnostics {
    public static func log(_ line: String) {
        var text = (journal ? priority(line) : "") + line + "\n"
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// systemd sets JOURNAL_STREAM when stderr is the journal, which then reads a leading `<N>` as the
    /// line's syslog priority (sd-daemon(3)); elsewhere lines stay as they are.
    static let journal = getenv("JOURNAL_STREAM") != nil

    /// err (3) for `error:` lines, warning (4) for `warning:`, info (6) for the rest.
    static func priority(_ line: String) -> String {
        if line.hasPrefix("error:") { return "<3>" }
        if line.hasPrefix("warning:") { return "<4>" }
        return "<6>"
    }
}

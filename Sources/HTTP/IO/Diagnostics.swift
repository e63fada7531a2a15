import Glibc

/// Diagnostic lines on stderr, beside the access log (which batches its own writes). Unbuffered:
/// these are rare and must not sit in a buffer when the process dies.
public enum Diagnostics {
    public static func log(_ line: String) {
        var text = line + "\n"
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
}

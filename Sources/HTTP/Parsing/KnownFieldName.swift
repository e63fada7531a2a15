import Glibc

/// The field names the parser recognises with one switch on the name's length: the ones whose
/// meaning it enforces, and the others nearly every request carries. A recognised name's lowercase
/// form, and its spelling as sent when that is the usual one, are then literal Strings, which need
/// no validation, no storage and no reference counting; names are half the Strings a head makes.
struct KnownFieldName {
    enum Control {
        case host, contentLength, transferEncoding, connection, expect
    }

    var canonical: String
    /// The spelling most clients send.
    var usual: String
    /// Set for the fields ControlFields acts on.
    var control: Control?

    static func lookUp(_ name: Range<Int>, in bytes: UnsafeRawBufferPointer) -> KnownFieldName? {
        switch name.count {
        case 4 where bytes.equalsIgnoringCase(name, "host"):
            KnownFieldName("host", "Host", .host)
        case 6 where bytes.equalsIgnoringCase(name, "accept"):
            KnownFieldName("accept", "Accept")
        case 6 where bytes.equalsIgnoringCase(name, "cookie"):
            KnownFieldName("cookie", "Cookie")
        case 6 where bytes.equalsIgnoringCase(name, "expect"):
            KnownFieldName("expect", "Expect", .expect)
        case 6 where bytes.equalsIgnoringCase(name, "origin"):
            KnownFieldName("origin", "Origin")
        case 7 where bytes.equalsIgnoringCase(name, "referer"):
            KnownFieldName("referer", "Referer")
        case 10 where bytes.equalsIgnoringCase(name, "user-agent"):
            KnownFieldName("user-agent", "User-Agent")
        case 10 where bytes.equalsIgnoringCase(name, "connection"):
            KnownFieldName("connection", "Connection", .connection)
        case 12 where bytes.equalsIgnoringCase(name, "content-type"):
            KnownFieldName("content-type", "Content-Type")
        case 13 where bytes.equalsIgnoringCase(name, "authorization"):
            KnownFieldName("authorization", "Authorization")
        case 13 where bytes.equalsIgnoringCase(name, "cache-control"):
            KnownFieldName("cache-control", "Cache-Control")
        case 14 where bytes.equalsIgnoringCase(name, "content-length"):
            KnownFieldName("content-length", "Content-Length", .contentLength)
        case 15 where bytes.equalsIgnoringCase(name, "accept-encoding"):
            KnownFieldName("accept-encoding", "Accept-Encoding")
        case 15 where bytes.equalsIgnoringCase(name, "accept-language"):
            KnownFieldName("accept-language", "Accept-Language")
        case 17 where bytes.equalsIgnoringCase(name, "transfer-encoding"):
            KnownFieldName("transfer-encoding", "Transfer-Encoding", .transferEncoding)
        default: nil
        }
    }

    private init(_ canonical: String, _ usual: String, _ control: Control? = nil) {
        self.canonical = canonical
        self.usual = usual
        self.control = control
    }

    /// `usual` when the name in `range` is spelt that way, else the bytes as sent.
    func name(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> String {
        var usual = usual
        let matches = usual.withUTF8 { spelling in
            memcmp(spelling.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
        }
        return matches ? usual : bytes.string(range)
    }
}

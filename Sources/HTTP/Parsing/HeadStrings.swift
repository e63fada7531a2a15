/// Building a head's Strings straight from validated bytes. The public initialisers find `?` by
/// walking Characters and fold names with `lowercased()`; from bytes both are byte compares, and
/// on a wrk-style head that (with the literals of KnownFieldName) halved the time of a parse.
extension UnsafeRawBufferPointer {
    /// Field values may carry obs-text (bytes 0x80-0xFF) that is not UTF-8; those sequences
    /// become U+FFFD, since HTTPFields holds Strings and no handler should see invalid text.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self[range]), as: UTF8.self)
    }

    /// The lowercase form of a field name that KnownFieldName does not know: `name` itself when
    /// it has no capitals, a folded copy otherwise.
    func canonicalFieldName(_ range: Range<Int>, name: String) -> String {
        guard range.contains(where: { self[$0] &- UInt8(ascii: "A") < 26 }) else { return name }
        return String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, index) in range.enumerated() {
                let byte = self[index]
                buffer[offset] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            }
            return range.count
        }
    }

    /// The common methods come from constants, whose Strings need neither validation nor storage.
    func method(_ range: Range<Int>) -> Method {
        switch range.count {
        case 3 where equals(range, "GET"): .get
        case 4 where equals(range, "POST"): .post
        default: Method(string(range))
        }
    }
}

extension HTTPFields.Field {
    init(name: String, value: String, canonicalName: String) {
        self.name = name
        self.value = value
        self.canonicalName = canonicalName
    }
}

extension RequestHead {
    /// Takes `target` apart at its first `?` by byte offset, as the public initialiser does by Character.
    init(method: Method, target: Range<Int>, in bytes: UnsafeRawBufferPointer, version: Version,
         headers: HTTPFields, keepAlive: Bool, expectsContinue: Bool) {
        self.method = method
        self.target = bytes.string(target)
        if let mark = target.first(where: { bytes[$0] == UInt8(ascii: "?") }) {
            path = bytes.string(target.lowerBound..<mark)
            query = bytes.string(mark + 1..<target.upperBound)
        } else {
            path = self.target
            query = ""
        }
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }
}

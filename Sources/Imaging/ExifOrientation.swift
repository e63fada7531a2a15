/// The EXIF Orientation tag (0x0112) of a JPEG: how the stored pixels must be turned to stand
/// upright. Cameras store the sensor's rows and record the turn here instead of rotating.
/// https://www.cipa.jp/std/documents/e/DC-008-2012_E.pdf, 4.6.4 and TIFF 6.0, section 2
enum ExifOrientation {
    /// 1 through 8; 1 (as stored) whenever the tag is missing, malformed or out of range.
    static func of(jpeg bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 2
        // Segments are walked as JPEGHeader does; Exif must come before the first scan.
        while let prefix = bytes.byte(at: offset), prefix == 0xFF, let code = bytes.byte(at: offset + 1) {
            if code == 0xFF {
                offset += 1
                continue
            }
            guard code != 0xDA, code != 0xD9, let length = bytes.bigEndian16(at: offset + 2), length >= 2 else { return 1 }
            let body = offset + 4, end = offset + 2 + length
            guard end <= bytes.count else { return 1 }
            if code == 0xE1, end - body >= 6, Array(bytes[body..<body + 6]) == Array("Exif\0\0".utf8) {
                return orientation(tiff: UnsafeRawBufferPointer(rebasing: bytes[body + 6..<end]))
            }
            offset = end
        }
        return 1
    }

    /// Reads IFD0 of the TIFF structure in an APP1 segment: a byte-order mark (II or MM), 42, the
    /// offset of IFD0, then its entry count and 12-byte entries. Every read is bounds-checked.
    private static func orientation(tiff: UnsafeRawBufferPointer) -> Int {
        guard tiff.count >= 8 else { return 1 }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return 1
        }
        func read16(_ at: Int) -> Int? {
            guard let value = tiff.bigEndian16(at: at) else { return nil }
            return little ? (value >> 8) | (value & 0xFF) << 8 : value
        }
        func read32(_ at: Int) -> Int? {
            guard let high = read16(little ? at + 2 : at), let low = read16(little ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard read16(2) == 42, let ifd = read32(4), let count = read16(ifd) else { return 1 }
        // The count is at most 65,535 and each read is checked, so a lying count ends at the buffer.
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = read16(at) else { return 1 }
            guard tag == 0x0112 else { continue }
            // SHORT, one value, held left-justified in the 4-byte value field.
            guard read16(at + 2) == 3, read32(at + 4) == 1, let value = read16(at + 8), (1...8).contains(value) else { return 1 }
            return value
        }
        return 1
    }
}

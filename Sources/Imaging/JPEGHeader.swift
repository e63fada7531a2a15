/// Reads a JPEG's dimensions from its first frame header (SOFn), stepping over the segments before
/// it by their lengths. https://www.w3.org/Graphics/JPEG/itu-t81.pdf, B.1.1.3 and B.2.2
enum JPEGHeader {
    /// SOI, then the first byte of the next marker: JFIF, Exif and bare streams all begin so.
    static let magic: [UInt8] = [0xFF, 0xD8, 0xFF]

    /// C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frame headers.
    private static let startOfFrame: Set<Int> = [
        0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF,
    ]
    /// RSTn and TEM stand alone: no length follows them.
    private static let standalone: Set<Int> = [0x01, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7]

    /// `bytes` starts with SOI. Every step moves forward at least two bytes, so the walk ends
    /// within the buffer however the segments chain.
    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageInfo {
        var offset = 2
        while true {
            guard let prefix = bytes.byte(at: offset) else { throw .corrupt("truncated before the frame header") }
            guard prefix == 0xFF else { throw .corrupt("no marker at byte \(offset)") }
            // A marker may be preceded by any number of 0xFF fill bytes.
            var codeOffset = offset + 1
            while bytes.byte(at: codeOffset) == 0xFF { codeOffset += 1 }
            guard let code = bytes.byte(at: codeOffset) else { throw .corrupt("truncated before the frame header") }
            let segment = codeOffset + 1
            if startOfFrame.contains(code) { return try frame(bytes, at: segment) }
            if standalone.contains(code) {
                offset = segment
                continue
            }
            // 00 is a stuffed byte, not a marker; SOI, EOI and SOS cannot come before the frame.
            guard ![0x00, 0xD8, 0xD9, 0xDA].contains(code) else {
                throw .corrupt("marker 0xFF\(hex(code)) before the frame header")
            }
            guard let length = bytes.bigEndian16(at: segment), length >= 2 else {
                throw .corrupt("truncated or invalid segment length for marker 0xFF\(hex(code))")
            }
            offset = segment + length
        }
    }

    /// SOFn: length (2), precision (1), lines (2), samples per line (2), components (1), then three
    /// bytes per component.
    private static func frame(_ bytes: UnsafeRawBufferPointer, at segment: Int) throws(ImageError) -> ImageInfo {
        guard let length = bytes.bigEndian16(at: segment), let components = bytes.byte(at: segment + 7),
              segment + length <= bytes.count else {
            throw .corrupt("truncated frame header")
        }
        guard components >= 1, length == 8 + 3 * components else {
            throw .corrupt("frame header length \(length) does not fit \(components) components")
        }
        let height = bytes.bigEndian16(at: segment + 3)!, width = bytes.bigEndian16(at: segment + 5)!
        // A zero height defers to a DNL marker after the first scan, which libjpeg does not support.
        guard width > 0, height > 0 else { throw .corrupt("frame header gives a size of \(width)×\(height)") }
        return ImageInfo(format: .jpeg, width: width, height: height)
    }

    private static func hex(_ byte: Int) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}

/// Turning pixels as an EXIF orientation asks, shared by bitmaps and planes.
enum Orientation {
    /// Writes the upright image, rows packed (`channels` bytes a pixel), from `width` × `height`
    /// source pixels in rows `stride` bytes apart. `orientation` is 2...8; 5 through 8 swap the sides.
    static func copy(_ source: UnsafePointer<UInt8>, width w: Int, height h: Int, stride: Int, channels c: Int,
                     orientation: Int, into target: UnsafeMutablePointer<UInt8>) {
        // Where the upright image's first pixel comes from, and how far (in bytes) one step right
        // and one step down in the upright image moves in the source.
        let row = stride, right = c
        let (start, stepX, stepY): (Int, Int, Int) = switch orientation {
        case 2: ((w - 1) * right, -right, row)                       // mirrored left to right
        case 3: ((h - 1) * row + (w - 1) * right, -right, -row)      // turned 180°
        case 4: ((h - 1) * row, right, -row)                         // mirrored top to bottom
        case 5: (0, row, right)                                      // transposed
        case 6: ((h - 1) * row, -row, right)                         // needs 90° clockwise
        case 7: ((h - 1) * row + (w - 1) * right, -row, -right)      // transversed
        default: ((w - 1) * right, row, -right)                      // 8: needs 90° counter-clockwise
        }
        let swapped = orientation >= 5
        let outWidth = swapped ? h : w, outHeight = swapped ? w : h
        var t = target
        for y in 0..<outHeight {
            var s = source + start + y * stepY
            for _ in 0..<outWidth {
                for k in 0..<c { t[k] = s[k] }
                t += c
                s += stepX
            }
        }
    }
}

extension Bitmap {
    /// The bitmap turned as EXIF orientation `orientation` (1...8) asks, so that it stands upright.
    /// 5 through 8 swap width and height.
    func oriented(_ orientation: Int) -> Bitmap {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        // Where the upright image's first pixel comes from, and how far (in source pixels) one step
        // right and one step down in the upright image moves in the source.
        let (start, stepX, stepY): (Int, Int, Int) = switch orientation {
        case 2: (w - 1, -1, w)                   // mirrored left to right
        case 3: ((h - 1) * w + w - 1, -1, -w)    // turned 180°
        case 4: ((h - 1) * w, 1, -w)             // mirrored top to bottom
        case 5: (0, w, 1)                        // transposed
        case 6: ((h - 1) * w, -w, 1)             // needs 90° clockwise
        case 7: ((h - 1) * w + w - 1, -w, -1)    // transversed
        default: (w - 1, w, -1)                  // 8: needs 90° counter-clockwise
        }
        let swapped = orientation >= 5
        let outWidth = swapped ? h : w, outHeight = swapped ? w : h
        let c = channels
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                var t = 0
                for y in 0..<outHeight {
                    var s = (start + y * stepY) * c
                    for _ in 0..<outWidth {
                        for k in 0..<c { target[t + k] = source[s + k] }
                        t += c
                        s += stepX * c
                    }
                }
            }
        }
        return Bitmap(width: outWidth, height: outHeight, channels: c, pixels: out)
    }
}

import Glibc

/// Training-time augmentations. Every random choice comes from the caller's `uniform` (values in
/// [0, 1)), so Imaging needs no generator of its own and a seeded stream reproduces a crop exactly.
public enum Augment {
    /// torchvision's RandomResizedCrop: up to 10 tries at a rectangle whose area is a uniform
    /// fraction `scale` of the bitmap's and whose width / height is log-uniform in `ratio`; the
    /// first that fits is placed uniformly. If none fits, the largest centred crop with a ratio in
    /// `ratio`. The crop is then area-resized to `size` × `size`.
    public static func randomResizedCrop(_ bitmap: Bitmap, size: Int, scale: ClosedRange<Double> = 0.08...1,
                                         ratio: ClosedRange<Double> = 0.75...(4.0 / 3.0),
                                         uniform: () -> Double) -> Bitmap {
        precondition(size > 0, "a crop has at least one pixel")
        let rect = cropRectangle(width: bitmap.width, height: bitmap.height, scale: scale, ratio: ratio,
                                 uniform: uniform)
        let cropped = crop(bitmap, x: rect.x, y: rect.y, width: rect.width, height: rect.height)
        return Resize.area(cropped, width: size, height: size)
    }

    /// Mirrors left and right.
    public static func horizontalFlip(_ bitmap: Bitmap) -> Bitmap {
        let c = bitmap.channels, rowLength = bitmap.width * c
        var pixels = [UInt8](repeating: 0, count: bitmap.pixels.count)
        for y in 0..<bitmap.height {
            let row = y * rowLength
            for x in 0..<bitmap.width {
                let from = row + x * c, to = row + (bitmap.width - 1 - x) * c
                for k in 0..<c { pixels[to + k] = bitmap.pixels[from + k] }
            }
        }
        return Bitmap(width: bitmap.width, height: bitmap.height, channels: c, pixels: pixels)
    }

    /// Evaluation's counterpart of the random crop: the shorter side scaled to `size` and the middle
    /// `size` × `size` kept. Done as crop-then-resize (the centred square of side min(width, height),
    /// then to `size`), which keeps the same pixels but resamples only those that survive. No
    /// 256/224 margin: callers wanting one pass a larger bitmap or a smaller `size`.
    public static func centerCrop(_ bitmap: Bitmap, size: Int) -> Bitmap {
        precondition(size > 0, "a crop has at least one pixel")
        let side = min(bitmap.width, bitmap.height)
        let square = crop(bitmap, x: (bitmap.width - side) / 2, y: (bitmap.height - side) / 2, width: side, height: side)
        return Resize.area(square, width: size, height: size)
    }

    /// The rectangle RandomResizedCrop takes, as torchvision's `get_params` computes it: sides
    /// rounded half to even like Python's `round`, offsets uniform over every position that fits.
    public static func cropRectangle(width: Int, height: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>,
                              uniform: () -> Double) -> (x: Int, y: Int, width: Int, height: Int) {
        precondition(scale.lowerBound > 0 && ratio.lowerBound > 0, "scale and ratio are positive")
        let area = Double(width * height)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        func between(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + (range.upperBound - range.lowerBound) * uniform()
        }
        // A uniform integer in 0..<count; the clamp guards a `uniform` that returns exactly 1.
        func below(_ count: Int) -> Int { min(Int(uniform() * Double(count)), count - 1) }
        func rounded(_ value: Double) -> Int { Int(value.rounded(.toNearestOrEven)) }

        for _ in 0..<10 {
            let target = area * between(scale)
            let aspect = exp(between(logRatio))
            let w = rounded((target * aspect).squareRoot()), h = rounded((target / aspect).squareRoot())
            if w > 0 && w <= width && h > 0 && h <= height {
                // torchvision draws the row offset before the column offset; kept for parity.
                let y = below(height - h + 1)
                let x = below(width - w + 1)
                return (x, y, w, h)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = max(1, rounded(Double(w) / ratio.lowerBound))
        } else if inRatio > ratio.upperBound {
            w = max(1, rounded(Double(h) * ratio.upperBound))
        }
        return ((width - w) / 2, (height - h) / 2, w, h)
    }

    /// The pixels of one rectangle, which must lie inside the bitmap.
    public static func crop(_ bitmap: Bitmap, x: Int, y: Int, width: Int, height: Int) -> Bitmap {
        precondition(x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= bitmap.width
                     && y + height <= bitmap.height, "the crop lies inside the bitmap")
        if x == 0 && y == 0 && width == bitmap.width && height == bitmap.height { return bitmap }
        let c = bitmap.channels
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * c)
        for row in y..<(y + height) {
            let start = (row * bitmap.width + x) * c
            pixels.append(contentsOf: bitmap.pixels[start..<(start + width * c)])
        }
        return Bitmap(width: width, height: height, channels: c, pixels: pixels)
    }
}

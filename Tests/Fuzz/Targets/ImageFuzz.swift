import Imaging

/// Uploaded images are checked from their headers before any pixel is decoded (no image bombs),
/// then decoded by libjpeg-turbo and libpng behind Quarry's wrappers. Whatever the bytes, a decode
/// that succeeds must match what the header check promised, and both must hold the limits.
enum ImageFuzz {
    private static let limits = ImageLimits(maxPixels: 1 << 20, maxDimension: 4096)

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let info = try? ImageProbe.probe(bytes, limits: limits) else {
            try expect((try? ImageDecoder.decode(bytes, limits: limits)) == nil, "an image the probe refused was decoded")
            return
        }
        try expect(info.width > 0 && info.height > 0 && info.width * info.height <= limits.maxPixels
                   && max(info.width, info.height) <= limits.maxDimension, "the probe passed \(info)")
        if let verified = try? ImageProbe.verify(bytes, limits: limits) {
            try expect(verified == info, "verify said \(verified), the probe \(info)")
        }
        let sides = [info.width, info.height].sorted()
        if let bitmap = try? ImageDecoder.decode(bytes, limits: limits) {
            try expect([bitmap.width, bitmap.height].sorted() == sides, "decoded \(bitmap.width)×\(bitmap.height) from \(info)")
            try expect([1, 3, 4].contains(bitmap.channels) && bitmap.pixels.count == bitmap.width * bitmap.height * bitmap.channels,
                       "a \(bitmap.width)×\(bitmap.height) bitmap of \(bitmap.channels) channels holds \(bitmap.pixels.count) bytes")
        }
        if let small = try? ImageDecoder.decode(bytes, atLeast: 16, limits: limits) {
            try expect(small.width <= sides[1] && small.height <= sides[1] && small.width * small.height <= info.width * info.height,
                       "a reduced decode of \(info) is \(small.width)×\(small.height)")
        }
        if let planes = (try? ImageDecoder.jpegPlanes(bytes, atLeast: 16, limits: limits)) ?? nil {
            try expect(info.format == .jpeg && [1, 3].contains(planes.count), "\(planes.count) planes from \(info)")
            for plane in planes {
                try expect(plane.width > 0 && plane.height > 0 && max(plane.width, plane.height) <= sides[1],
                           "a \(plane.width)×\(plane.height) plane from \(info)")
            }
        }
    }
}

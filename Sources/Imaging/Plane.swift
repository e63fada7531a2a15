/// One component of an image at its own sampling, as JPEG stores it: luma, or a chroma plane that
/// is often half as wide and high. `width` × `height` samples in rows `stride` bytes apart; the
/// buffer may hold columns and rows beyond them, the padding libjpeg reads and writes whole blocks of.
public struct Plane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let stride: Int
    public var samples: [UInt8]

    /// The rows the buffer holds, padding included.
    public var rows: Int { samples.count / stride }

    public init(width: Int, height: Int, stride: Int, samples: [UInt8]) {
        precondition(width > 0 && height > 0 && stride >= width, "a plane has at least one sample and rows as wide as it")
        precondition(samples.count % stride == 0 && samples.count / stride >= height, "samples do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.stride = stride
        self.samples = samples
    }

    /// Allocates `stride` × `rows` bytes once and lets `fill` write every one of them.
    init(width: Int, height: Int, stride: Int, rows: Int, fill: (UnsafeMutablePointer<UInt8>) -> Void) {
        let samples = [UInt8](unsafeUninitializedCapacity: stride * rows) { buffer, initialized in
            fill(buffer.baseAddress!)
            initialized = stride * rows
        }
        self.init(width: width, height: height, stride: stride, samples: samples)
    }

    /// The plane turned as EXIF orientation `orientation` (1...8) asks; 5 through 8 swap its sides.
    func oriented(_ orientation: Int) -> Plane {
        guard (2...8).contains(orientation) else { return self }
        let swapped = orientation >= 5
        let width = swapped ? height : self.width, height = swapped ? self.width : self.height
        return Plane(width: width, height: height, stride: width, rows: height) { target in
            samples.withUnsafeBufferPointer { source in
                Orientation.copy(source.baseAddress!, width: self.width, height: self.height, stride: stride, channels: 1,
                                 orientation: orientation, into: target)
            }
        }
    }

    /// Copies the last column into the padding columns and the last row into the padding rows, so
    /// that the blocks an encoder reads across the edge hold no stray values to ring against.
    mutating func replicateEdges() {
        let width = width, height = height, stride = stride, rows = rows
        samples.withUnsafeMutableBufferPointer { samples in
            let base = samples.baseAddress!
            if stride > width {
                for y in 0..<height {
                    let row = base + y * stride
                    (row + width).update(repeating: row[width - 1], count: stride - width)
                }
            }
            for y in height..<rows { (base + y * stride).update(from: base + (height - 1) * stride, count: stride) }
        }
    }
}

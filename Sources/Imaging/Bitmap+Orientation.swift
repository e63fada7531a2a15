extension Bitmap {
    /// The bitmap turned as EXIF orientation `orientation` (1...8) asks, so that it stands upright.
    /// 5 through 8 swap width and height.
    func oriented(_ orientation: Int) -> Bitmap {
        guard (2...8).contains(orientation) else { return self }
        let swapped = orientation >= 5
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                Orientation.copy(source.baseAddress!, width: width, height: height, stride: width * channels,
                                 channels: channels, orientation: orientation, into: target.baseAddress!)
            }
        }
        return Bitmap(width: swapped ? height : width, height: swapped ? width : height, channels: channels, pixels: out)
    }
}

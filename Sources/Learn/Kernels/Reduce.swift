/// Sums over float buffers in 64 lanes. Float additions are not associative, so the compiler will
/// not vectorize a plain sum loop; spreading it over lanes by hand both vectorizes it and keeps
/// each lane's running total short, which holds the rounding error of long sums down.
enum Reduce {
    typealias Lanes = SIMD16<Float>

    /// Σ x[i]
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        fold(count, { Lanes(loading: x + $0) }, { x[$0] })
    }

    /// Σ (x[i] - center)²
    static func squaredDeviations(_ x: UnsafePointer<Float>, count: Int, center: Float) -> Float {
        fold(count, { index in
            let deviation = Lanes(loading: x + index) - center
            return deviation * deviation
        }, { index in (x[index] - center) * (x[index] - center) })
    }

    /// Σ x[i]·y[i]
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        fold(count, { Lanes(loading: x + $0) * Lanes(loading: y + $0) }, { x[$0] * y[$0] })
    }

    /// Adds `vector(i)` for every 16 values and `scalar(i)` for the tail, four vectors per step so
    /// that the additions do not wait on each other.
    @inline(__always)
    private static func fold(_ count: Int, _ vector: (Int) -> Lanes, _ scalar: (Int) -> Float) -> Float {
        var (a, b, c, d) = (Lanes(), Lanes(), Lanes(), Lanes())
        var index = 0
        while index + 64 <= count {
            a += vector(index)
            b += vector(index + 16)
            c += vector(index + 32)
            d += vector(index + 48)
            index += 64
        }
        while index + 16 <= count {
            a += vector(index)
            index += 16
        }
        var total = ((a + b) + (c + d)).sum()
        while index < count {
            total += scalar(index)
            index += 1
        }
        return total
    }
}

extension SIMD16<Float> {
    @inline(__always)
    init(loading pointer: UnsafePointer<Float>) {
        self = UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
    }
}

/// Sums over float buffers in 64 lanes. Float additions are not associative, so the compiler will
/// not vectorize a plain sum loop; spreading it over lanes by hand both vectorizes it and keeps
/// each lane's running total short, which holds the rounding error of long sums down.
enum Reduce {
    typealias Lanes = SIMD16<Float>

    /// Σ x[i]
    static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        fold(Sum(x: x), count: count)
    }

    /// Σ (x[i] - center)²
    static func squaredDeviations(_ x: UnsafePointer<Float>, count: Int, center: Float) -> Float {
        fold(SquaredDeviations(x: x, center: center), count: count)
    }

    /// Σ x[i]·y[i]
    static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        fold(Dot(x: x, y: y), count: count)
    }

    /// What is summed: the terms for 16 values at once and for one. A generic parameter rather than
    /// closures, so that each fold is specialized with its terms inlined into the loop.
    protocol Terms {
        func vector(_ index: Int) -> Lanes
        func scalar(_ index: Int) -> Float
    }

    struct Sum: Terms {
        let x: UnsafePointer<Float>
        @inline(__always) func vector(_ index: Int) -> Lanes { Lanes(loading: x + index) }
        @inline(__always) func scalar(_ index: Int) -> Float { x[index] }
    }

    struct SquaredDeviations: Terms {
        let x: UnsafePointer<Float>
        let center: Float
        @inline(__always) func vector(_ index: Int) -> Lanes {
            let deviation = Lanes(loading: x + index) - center
            return deviation * deviation
        }
        @inline(__always) func scalar(_ index: Int) -> Float { (x[index] - center) * (x[index] - center) }
    }

    struct Dot: Terms {
        let x: UnsafePointer<Float>
        let y: UnsafePointer<Float>
        @inline(__always) func vector(_ index: Int) -> Lanes { Lanes(loading: x + index) * Lanes(loading: y + index) }
        @inline(__always) func scalar(_ index: Int) -> Float { x[index] * y[index] }
    }

    /// Four vectors per step, so that the additions do not wait on each other, then the tail.
    @inline(__always)
    private static func fold<T: Terms>(_ terms: T, count: Int) -> Float {
        var (a, b, c, d) = (Lanes(), Lanes(), Lanes(), Lanes())
        var index = 0
        while index + 64 <= count {
            a += terms.vector(index)
            b += terms.vector(index + 16)
            c += terms.vector(index + 32)
            d += terms.vector(index + 48)
            index += 64
        }
        while index + 16 <= count {
            a += terms.vector(index)
            index += 16
        }
        var total = ((a + b) + (c + d)).sum()
        while index < count {
            total += terms.scalar(index)
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

/// What each output location of one image should predict: FCOS's assignment with center sampling.
///
/// A location (its center at ((j + ½)·stride, (i + ½)·stride)) is positive for a box when it lies
/// inside the box and within 1.5 strides of the box's center; of several such boxes it takes the
/// smallest. A box that no location claims this way (smaller than a stride, or a large box whose center
/// a smaller box took) takes the free location nearest its center, one inside it where there is one, so
/// every object is learned. The rest is background.
struct FCOSTargets: Equatable {
    struct Positive: Equatable {
        /// Row-major index of the location in the H × W map.
        let location: Int
        let classIndex: Int
        /// Distances from the location's center to the box's left, top, right and bottom sides.
        let distances: [Double]
        /// √(min(l, r)/max(l, r) · min(t, b)/max(t, b)): 1 at the center, falling to 0 at an edge.
        let centerness: Double
    }

    let positives: [Positive]

    static let centerRadius = 1.5

    init(boxes: [LabeledBox], height: Int, width: Int, stride: Int) {
        let step = Double(stride)
        func center(_ location: Int) -> (x: Double, y: Double) {
            ((Double(location % width) + 0.5) * step, (Double(location / width) + 0.5) * step)
        }
        func distances(_ location: Int, _ box: LabeledBox) -> [Double] {
            let (x, y) = center(location)
            return [x - Double(box.x1), y - Double(box.y1), Double(box.x2) - x, Double(box.y2) - y]
        }
        // The box each location takes: the smallest that claims it.
        var owner = [Int?](repeating: nil, count: height * width)
        let usable = boxes.indices.filter { boxes[$0].width > 0 && boxes[$0].height > 0 }
        let bySize = usable.sorted { (boxes[$0].area, $0) < (boxes[$1].area, $1) }
        var claimed = Set<Int>()
        for index in bySize {
            let box = boxes[index]
            let (cx, cy) = ((Double(box.x1) + Double(box.x2)) / 2, (Double(box.y1) + Double(box.y2)) / 2)
            let radius = Self.centerRadius * step
            for location in 0..<height * width where owner[location] == nil {
                let (x, y) = center(location)
                guard abs(x - cx) < radius, abs(y - cy) < radius, distances(location, box).allSatisfy({ $0 > 0 }) else { continue }
                owner[location] = index
                claimed.insert(index)
            }
        }
        for index in bySize where !claimed.contains(index) {
            let box = boxes[index]
            let (cx, cy) = ((Double(box.x1) + Double(box.x2)) / 2, (Double(box.y1) + Double(box.y2)) / 2)
            func distance(_ location: Int) -> Double {
                let (x, y) = center(location)
                return (x - cx) * (x - cx) + (y - cy) * (y - cy)
            }
            let free = (0..<height * width).filter { owner[$0] == nil }
            // Inside the box if a free location is; else the nearest free one, for a box smaller than a stride.
            let inside = free.filter { distances($0, box).allSatisfy { $0 > 0 } }
            if let nearest = (inside.isEmpty ? free : inside).min(by: { (distance($0), $0) < (distance($1), $1) }) {
                owner[nearest] = index
            }
        }
        positives = owner.enumerated().compactMap { location, index in
            guard let index else { return nil }
            let box = boxes[index]
            // A location given to a box it lies outside of (the nearest-to-center fallback) regresses
            // to the box's sides from just inside it.
            let sides = distances(location, box).map { max($0, 0.5) }
            let centerness = (min(sides[0], sides[2]) / max(sides[0], sides[2]) * min(sides[1], sides[3]) / max(sides[1], sides[3]))
                .squareRoot()
            return Positive(location: location, classIndex: box.classIndex, distances: sides, centerness: centerness)
        }
    }
}

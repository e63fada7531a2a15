/// Running sums of an epoch's training loss and accuracy. A checkpoint in the middle of an epoch
/// carries them in its metadata, so a resumed epoch reports the same means as an uninterrupted one.
struct EpochTotals {
    var lossSum = 0.0
    var correct = 0
    var seen = 0

    static let keys = (lossSum: "trainer.epochLossSum", correct: "trainer.epochCorrect", seen: "trainer.epochSeen")

    init() {}

    /// Missing keys (a checkpoint at an epoch boundary, or made elsewhere) start from zero.
    init(metadata: [String: String]) {
        lossSum = metadata[Self.keys.lossSum].flatMap(Double.init) ?? 0
        correct = metadata[Self.keys.correct].flatMap(Int.init) ?? 0
        seen = metadata[Self.keys.seen].flatMap(Int.init) ?? 0
    }

    /// Doubles print in their shortest exact form, so the sums survive the text round trip.
    var metadata: [String: String] {
        [Self.keys.lossSum: "\(lossSum)", Self.keys.correct: "\(correct)", Self.keys.seen: "\(seen)"]
    }

    mutating func add(loss: Float, correct: Int, count: Int) {
        lossSum += Double(loss) * Double(count)
        self.correct += correct
        seen += count
    }

    var meanLoss: Float { seen > 0 ? Float(lossSum / Double(seen)) : 0 }
    var accuracy: Float { seen > 0 ? Float(correct) / Float(seen) : 0 }
}

extension ContinuousClock.Instant {
    /// Seconds from this instant to now: an epoch's wall time.
    var secondsElapsed: Double {
        let elapsed = duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}

import Foundation
import Learn
import Testing

struct ScheduleTests {
    static func rates(_ schedule: LearningRateSchedule, _ steps: some Sequence<Int>) -> [Float] {
        steps.map { schedule.learningRate(at: $0) }
    }

    static func expectClose(_ actual: [Float], _ expected: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        OptimizerTesting.expectClose(actual, expected, tolerance: 1e-6, sourceLocation: sourceLocation)
    }

    @Test func warmupRampsLinearlyFromZero() {
        let schedule = LearningRateSchedule(kind: .constant, baseLearningRate: 0.1, totalSteps: 10, warmupSteps: 4)
        Self.expectClose(Self.rates(schedule, 0...5), [0, 0.025, 0.05, 0.075, 0.1, 0.1])
        #expect(schedule.learningRate(at: 100) == 0.1)
    }

    @Test func stepDecayCountsFromTheEndOfWarmup() {
        // Warmup 2 steps, then base · 0.5^⌊(s − 2) / 3⌋: 1 for steps 2–4, 0.5 for 5–7, 0.25 from 8.
        let schedule = LearningRateSchedule(kind: .step, baseLearningRate: 1, totalSteps: 12,
                                            warmupSteps: 2, stepSize: 3, gamma: 0.5)
        Self.expectClose(Self.rates(schedule, 0...8), [0, 0.5, 1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }

    @Test func cosineEndpointsAndMidpoint() {
        // min + (base − min)·(1 + cos(π·s/S)) / 2 with base 1, min 0.1, S = 10:
        // s = 0 → 1, s = 5 → 0.55, s = 10 → 0.1, and held at 0.1 afterwards.
        let plain = LearningRateSchedule(kind: .cosine, baseLearningRate: 1, totalSteps: 10, minimumLearningRate: 0.1)
        Self.expectClose(Self.rates(plain, [0, 5, 10, 15]), [1, 0.55, 0.1, 0.1])
        // After a 2-step warmup the same curve runs over the remaining 10 steps.
        let warm = LearningRateSchedule(kind: .cosine, baseLearningRate: 1, totalSteps: 12, warmupSteps: 2, minimumLearningRate: 0.1)
        Self.expectClose(Self.rates(warm, [1, 2, 7, 12]), [0.5, 1, 0.55, 0.1])
        #expect(Self.rates(warm, 2...12).adjacentPairsDescend)
    }

    @Test func codableRoundTrip() throws {
        let schedule = LearningRateSchedule(kind: .step, baseLearningRate: 0.3, totalSteps: 100, warmupSteps: 5, stepSize: 30, gamma: 0.2)
        let data = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: data) == schedule)
    }

    @Test func decodingRejectsImpossibleSettings() {
        let json = #"{"kind":"cosine","baseLearningRate":0.1,"totalSteps":5,"warmupSteps":9,"stepSize":1,"gamma":0.1,"minimumLearningRate":0}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LearningRateSchedule.self, from: Data(json.utf8))
        }
    }
}

private extension Array where Element == Float {
    var adjacentPairsDescend: Bool { zip(self, dropFirst()).allSatisfy { $0 > $1 } }
}

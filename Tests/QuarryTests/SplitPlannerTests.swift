@testable import Quarry
import Testing

struct SplitPlannerTests {
    private let ratios = ["train": 0.8, "val": 0.1, "test": 0.1]

    @Test func everyClassIsCutByTheRatiosWithLargestRemainders() throws {
        let planner = try SplitPlanner(ratios: ratios, seed: 42)
        let assignment = planner.assign(["a": Array(1...10), "b": Array(11...15), nil: [16, 17]])
        func count(_ ids: ClosedRange<Int>, _ subset: String) -> Int { ids.filter { assignment[$0] == subset }.count }
        #expect([count(1...10, "train"), count(1...10, "val"), count(1...10, "test")] == [8, 1, 1])
        // 5 × (0.8, 0.1, 0.1) = (4, 0.5, 0.5): the one left over goes to val, first among equal remainders.
        #expect([count(11...15, "train"), count(11...15, "val"), count(11...15, "test")] == [4, 1, 0])
        #expect(assignment.count == 17)
    }

    @Test func theSameSeedGivesTheSameSplitAndAnotherSeedAnother() throws {
        let classes: [String?: [Int]] = ["x": Array(1...50), "y": Array(51...90)]
        let first = try SplitPlanner(ratios: ratios, seed: 7).assign(classes)
        #expect(try SplitPlanner(ratios: ratios, seed: 7).assign(classes) == first)
        #expect(try SplitPlanner(ratios: ratios, seed: 8).assign(classes) != first)
    }

    @Test func theOrderImagesArriveInDoesNotMatter() throws {
        let assignment = try SplitPlanner(ratios: ["train": 0.5, "val": 0, "test": 0.5], seed: 1).assign(["c": [1, 2, 3, 4]])
        #expect(assignment.keys.sorted().map { assignment[$0]! }.filter { $0 == "train" }.count == 2)
        #expect(assignment == (try SplitPlanner(ratios: ["train": 0.5, "val": 0, "test": 0.5], seed: 1).assign(["c": [4, 3, 2, 1]])))
    }

    @Test func ratiosAreValidated() {
        #expect(throws: SplitError.self) { try SplitPlanner(ratios: ["train": 0.8, "val": 0.1], seed: 0) }
        #expect(throws: SplitError.self) { try SplitPlanner(ratios: ["train": 1.5, "val": -0.5], seed: 0) }
        #expect(throws: SplitError.self) { try SplitPlanner(ratios: ["train": 0.5, "dev": 0.5], seed: 0) }
        #expect(throws: Never.self) { try SplitPlanner(ratios: ["train": 0.7, "val": 0.2, "test": 0.1 + 5e-7], seed: 0) }
        #expect(throws: SplitError.self, "train and val must be named") { try SplitPlanner(ratios: ["train": 1], seed: 0) }
        #expect(throws: SplitError.self) { try SplitPlanner(ratios: ["val": 0.5, "test": 0.5], seed: 0) }
    }

    /// studio-api-related.md allows a sum off by 0.01: thirds written as 0.33 split as thirds.
    @Test func ratiosWithinAHundredthOfOneAreScaledToOne() throws {
        let planner = try SplitPlanner(ratios: ["train": 0.33, "val": 0.33, "test": 0.33], seed: 0)
        #expect(planner.counts(for: 99) == [33, 33, 33] && planner.ratios["train"] == 0.33, "kept as the client wrote them")
        #expect(throws: SplitError.self) { try SplitPlanner(ratios: ["train": 0.5, "val": 0.48], seed: 0) }
    }
}

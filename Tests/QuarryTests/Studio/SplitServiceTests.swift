@testable import Quarry
import Testing

/// `SplitService` over a real project: previews and splits agree, splits are numbered without gaps, and
/// another account's project is absent.
@Suite struct SplitServiceTests {
    @Test func splitsAreCountedNumberedAndRenumberedOnDelete() throws {
        let fixture = try StudioFixture(imagesPerClass: 10)
        let (splits, account, project) = (fixture.services.splits, fixture.accountID, fixture.projectID)
        let planner = try SplitPlanner(ratios: ["train": 0.5, "val": 0.5, "test": 0], seed: 3)
        let preview = try splits.preview(accountID: account, projectID: project, planner: planner)
        #expect(preview.stats.values.reduce(0, +) == 20 && preview.stats["test"] == 0 && preview.stats["none"] == 0)
        #expect(preview.classes.count == 2 && preview.classes.values.allSatisfy { $0.values.reduce(0, +) == 10 && $0["train"] == 5 })

        let first = try splits.create(accountID: account, projectID: project, name: "first", planner: planner)
        #expect(first.index == 0 && first.stats == preview.stats.filter { $0.key != "none" })
        let second = try fixture.split()
        #expect(second.index == 1)
        let details = try splits.details(accountID: account, projectID: project, index: 0)
        #expect(details.classes?["red"]?.values.reduce(0, +) == 10 && details.stats["none"] == 0)

        try splits.delete(accountID: account, projectID: project, index: 0)
        let remaining = try splits.list(accountID: account, projectID: project)
        #expect(remaining.map(\.name) == ["main"] && remaining.map(\.index) == [0])
        #expect(throws: SplitError.notFound(1)) { try splits.delete(accountID: account, projectID: project, index: 1) }
    }

    @Test func anotherAccountsProjectAndAnEmptyOneHaveNoSplits() throws {
        let fixture = try StudioFixture(imagesPerClass: 2)
        let splits = fixture.services.splits
        #expect(throws: ProjectError.notFound(fixture.projectID)) {
            try splits.list(accountID: fixture.strangerID, projectID: fixture.projectID)
        }
        let empty = try fixture.services.projects.create(accountID: fixture.accountID, name: "empty").id
        #expect(throws: SplitError.noImages) {
            try splits.create(accountID: fixture.accountID, projectID: empty, name: "none",
                              planner: SplitPlanner(ratios: ["train": 1, "val": 0, "test": 0], seed: 1))
        }
    }
}

import Dispatch
import Foundation
@testable import Quarry
import Storage
import Synchronization
import Testing

/// A run trained by one process, streamed from another sharing its database: the other follows it
/// through the database and gives its subscribers every epoch and the final status, then ends.
@Suite struct RunFollowerTests {
    @Test func anotherProcessStreamsTheRunsEpochsAndItsEnd() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let run = try fixture.services.runs.start(accountID: fixture.accountID, projectID: fixture.projectID,
                                                  experimentID: try fixture.experiment().id)
        // The watching process: its own events, its own id, the same database.
        let events = RunEvents()
        let follower = RunFollower(database: fixture.services.database, events: events, process: "another-process",
                                   interval: .milliseconds(20))
        try follower.followIfElsewhere(run.id)
        let seen = Mutex<[RunEvent]>([])
        let ended = DispatchSemaphore(value: 0)
        let finished = events.subscribe(run: run.id) { event in
            seen.withLock { $0.append(event) }
            if case .done = event { ended.signal() }
            return true
        }
        if !finished { #expect(ended.wait(timeout: .now() + 120) == .success, "the followed stream did not end") }

        let trained = try fixture.services.runs.get(accountID: fixture.accountID, projectID: fixture.projectID, id: run.id)
        #expect(trained.status == .completed)
        let received = seen.withLock { $0 }
        let epochs = received.compactMap { event -> Int? in if case .epoch(let metrics) = event { metrics.epoch } else { nil } }
        #expect(epochs == trained.metrics.map(\.epoch))
        let statuses = received.compactMap { event -> JobStatus? in if case .status(let status, _) = event { status } else { nil } }
        #expect(statuses.last == .completed)
        if case .done = received.last {} else { Issue.record("the stream did not end with done") }
    }

    @Test func aRunTrainedHereIsNotFollowed() throws {
        let fixture = try StudioFixture()
        _ = try fixture.split()
        let run = try fixture.services.runs.start(accountID: fixture.accountID, projectID: fixture.projectID,
                                                  experimentID: try fixture.experiment().id)
        let events = RunEvents()
        let follower = RunFollower(database: fixture.services.database, events: events, process: fixture.services.jobs.process.id,
                                   interval: .milliseconds(20))
        try follower.followIfElsewhere(run.id)
        try fixture.waitForRun(run.id)
        // Nothing was published to the other events (a follower publishes the run's status at once): the
        // run was this process's own.
        let replayed = Mutex(0)
        _ = events.subscribe(run: run.id) { _ in
            replayed.withLock { $0 += 1 }
            return true
        }
        #expect(replayed.withLock { $0 } == 0)
    }
}

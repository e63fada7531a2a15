@testable import Quarry
import Testing

/// The one status diagram every kind of background work follows.
struct JobStatusTests {
    @Test func everyTransitionOfTheDiagramAndNoOther() {
        let allowed: [JobStatus: [JobStatus.Event: JobStatus]] = [
            .pending: [.start: .running, .fail: .failed, .stop: .stopped, .interrupt: .interrupted],
            .running: [.complete: .completed, .fail: .failed, .stop: .stopped, .interrupt: .interrupted],
            .completed: [:],
            .failed: [.resume: .pending],
            .stopped: [.resume: .pending],
            .interrupted: [.resume: .pending],
        ]
        let events: [JobStatus.Event] = [.start, .complete, .fail, .stop, .interrupt, .resume]
        for status in JobStatus.allCases {
            for event in events {
                #expect(status.applying(event) == allowed[status]?[event], "\(status) on \(event)")
            }
        }
        #expect(JobStatus.active == [.pending, .running])
        #expect(JobStatus.sources(of: .resume) == [.failed, .stopped, .interrupted])
    }
}

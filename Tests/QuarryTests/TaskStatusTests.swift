import Quarry
import Testing

struct TaskStatusTests {
    @Test func theHappyPathRunsNewProgressReviewDone() {
        #expect(TaskStatus.new.applying(.saveDraft) == .progress)
        #expect(TaskStatus.progress.applying(.saveDraft) == .progress)
        #expect(TaskStatus.progress.applying(.submit) == .review)
        #expect(TaskStatus.new.applying(.submit) == .review)
        #expect(TaskStatus.review.applying(.approve) == .done)
    }

    @Test func aRejectionGoesBackToTheAnnotator() {
        #expect(TaskStatus.review.applying(.reject) == .progress)
    }

    @Test func expireAndFailOnlyBeforeSubmissionButCancelAlsoDuringReview() {
        for event in [TaskStatus.Event.expire, .fail] {
            #expect(TaskStatus.new.applying(event) != nil)
            #expect(TaskStatus.progress.applying(event) != nil)
            #expect(TaskStatus.review.applying(event) == nil)
        }
        #expect([TaskStatus.new, .progress, .review].allSatisfy { $0.applying(.cancel) == .canceled })
    }

    @Test func terminalStatusesAcceptNoEvent() {
        let events: [TaskStatus.Event] = [.saveDraft, .submit, .approve, .reject, .cancel, .expire, .fail]
        for status in TaskStatus.allCases where status.isTerminal {
            #expect(events.allSatisfy { status.applying($0) == nil }, "\(status)")
        }
        #expect(TaskStatus.allCases.filter(\.isTerminal) == [.done, .error, .canceled, .expired])
    }

    @Test func reviewCannotBeSkippedOrDoneTwice() {
        #expect(TaskStatus.progress.applying(.approve) == nil)
        #expect(TaskStatus.new.applying(.approve) == nil)
        #expect(TaskStatus.review.applying(.submit) == nil)
    }
}

/// Where a piece of durable background work is in its life: a training run, an evaluation, a model
/// export, an import or a pre-label (`JobKind`). Transitions are a pure function of status and event, so every job
/// kind follows the same rules and they are tested without a database.
///
///     pending ──start──▶ running ──complete──▶ completed
///        │                  ├──fail──────▶ failed
///        │                  └──stop──────▶ stopped
///        ├──fail (refused before it started) ──▶ failed
///        └──stop ──▶ stopped
///     running ──release (its process shut down or went away) ──▶ pending, for another to take over
///     pending, running ──interrupt (taken over too often) ──▶ interrupted
///     stopped, interrupted, failed ──resume──▶ pending
///
/// Which kinds may stop, be interrupted or resume is the kind's to say (`JobKind`); the statuses are one
/// vocabulary, stored as their raw values.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case pending
    case running
    case completed
    case failed
    case stopped
    case interrupted

    public enum Event: Sendable {
        case start
        case complete
        case fail
        case stop
        case interrupt
        case release
        case resume

        /// Where the event leads, from whichever status allows it.
        public var result: JobStatus {
            switch self {
            case .start: .running
            case .complete: .completed
            case .fail: .failed
            case .stop: .stopped
            case .interrupt: .interrupted
            case .release, .resume: .pending
            }
        }
    }

    /// The status after `event`, or nil when the event is not allowed from here.
    public func applying(_ event: Event) -> JobStatus? {
        switch (self, event) {
        case (.pending, .start), (.running, .complete), (.pending, .fail), (.running, .fail), (.pending, .stop), (.running, .stop),
             (.pending, .interrupt), (.running, .interrupt), (.running, .release), (.stopped, .resume), (.interrupted, .resume),
             (.failed, .resume):
            event.result
        default: nil
        }
    }

    /// Waiting or under way: what a restart must settle, and what may not be deleted.
    public static let active: [JobStatus] = [.pending, .running]

    public var isActive: Bool { Self.active.contains(self) }

    /// The statuses `event` leads from, for the SQL that applies it to a row.
    static func sources(of event: Event) -> [JobStatus] {
        allCases.filter { $0.applying(event) != nil }
    }
}

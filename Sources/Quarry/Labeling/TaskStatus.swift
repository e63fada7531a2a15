/// Where a task is in its life. Transitions are a pure function of status and event, so the
/// rules can be tested without a database and every caller applies the same ones.
///
///     new ──draft──▶ progress ──submit──▶ review ──approve──▶ done
///      │                ▲                    │
///      └─────submit─────┼────────────────────┘ reject (back to the annotator, with a comment)
///     new/progress/review ──cancel▶ canceled · new/progress ──expire▶ expired · ──fail▶ error
///
/// A client may cancel a job under review (to it the job is still in progress); expiry and failure
/// stop only work not yet handed in.
public enum TaskStatus: String, Sendable, Codable, CaseIterable {
    case new
    case progress
    case review
    case done
    case error
    case canceled
    case expired

    public enum Event: Sendable {
        case saveDraft
        case submit
        case approve
        case reject
        case cancel
        case expire
        case fail
    }

    /// The status after `event`, or nil when the event is not allowed from here.
    public func applying(_ event: Event) -> TaskStatus? {
        switch (self, event) {
        case (.new, .saveDraft), (.progress, .saveDraft): .progress
        case (.new, .submit), (.progress, .submit): .review
        case (.review, .approve): .done
        case (.review, .reject): .progress
        case (.new, .cancel), (.progress, .cancel), (.review, .cancel): .canceled
        case (.new, .expire), (.progress, .expire): .expired
        case (.new, .fail), (.progress, .fail): .error
        default: nil
        }
    }

    /// No event leads anywhere from a terminal status.
    public var isTerminal: Bool {
        switch self {
        case .done, .error, .canceled, .expired: true
        case .new, .progress, .review: false
        }
    }
}

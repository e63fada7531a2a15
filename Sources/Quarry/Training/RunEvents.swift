import Foundation
import Learn
import Synchronization

/// What a run reports as it goes, as values: the Studio API names and encodes them for its event stream.
public enum RunEvent: Sendable {
    case status(JobStatus, error: String?)
    /// After each batch: the batch (from 1) of the epoch's `batches`, and its loss.
    case progress(epoch: Int, batch: Int, batches: Int, loss: Float)
    case epoch(EpochMetrics)
    /// The stream's end: the run is over.
    case done
}

/// A run's events: its status changes, progress per batch and metrics per epoch. Every event is kept
/// (per run, the most recent `limit`) so a subscriber who arrives late is first given what happened
/// so far, then the rest as it happens.
public final class RunEvents: Sendable {
    public typealias Subscriber = @Sendable (RunEvent) -> Bool

    private struct Channel {
        var events: [RunEvent] = []
        var subscribers: [UUID: Subscriber] = [:]
        var finished = false
    }

    private let channels = Mutex<[String: Channel]>([:])
    static let limit = 20_000

    func publish(run: String, _ event: RunEvent) {
        let subscribers = channels.withLock { channels -> [(UUID, Subscriber)] in
            channels[run, default: Channel()].events.append(event)
            if channels[run]!.events.count > Self.limit { channels[run]!.events.removeFirst(channels[run]!.events.count - Self.limit) }
            return Array(channels[run]!.subscribers)
        }
        for (id, subscriber) in subscribers where !subscriber(event) {
            _ = channels.withLock { $0[run]?.subscribers.removeValue(forKey: id) }
        }
    }

    /// Ends a run's stream: subscribers get `done` and are let go; later subscribers get the replay and `done`.
    func finish(run: String) {
        let subscribers = channels.withLock { channels -> [Subscriber] in
            channels[run, default: Channel()].finished = true
            defer { channels[run]?.subscribers = [:] }
            return Array(channels[run]!.subscribers.values)
        }
        for subscriber in subscribers { _ = subscriber(.done) }
    }

    /// Replays the run's events to `subscriber`, then forwards new ones until it returns false or
    /// the run ends. Returns whether the run had already ended (the caller then closes the stream).
    public func subscribe(run: String, _ subscriber: @escaping Subscriber) -> Bool {
        // Replayed under the lock, so no live event can overtake the replay; subscribers only
        // queue bytes for a connection, which is quick.
        channels.withLock { channels -> Bool in
            let channel = channels[run, default: Channel()]
            for event in channel.events where !subscriber(event) { return channel.finished }
            if channel.finished {
                _ = subscriber(.done)
            } else {
                channels[run, default: Channel()].subscribers[UUID()] = subscriber
            }
            return channel.finished
        }
    }

    func forget(run: String) {
        _ = channels.withLock { $0.removeValue(forKey: run) }
    }
}

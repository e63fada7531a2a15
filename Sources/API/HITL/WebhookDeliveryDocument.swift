import Quarry

/// A webhook delivery and its attempts as `GET /v1/webhooks/deliveries` shows them. A value not set
/// (`status_code` of an attempt that got no answer, `next_attempt_at` once it is settled, …) is left
/// out rather than `null`, as this document always has.
struct WebhookDeliveryDocument: Encodable {
    struct Attempt: Encodable {
        let attempt: Int
        let at: String
        let status_code: Int?
        let error: String?
        let duration_ms: Int
    }

    let id: String
    let job_id: String
    let event: String
    let url: String
    let status: String
    let attempts: [Attempt]
    let next_attempt_at: String?
    let created_at: String
    let delivered_at: String?
    let last_error: String?

    init(_ delivery: WebhookDelivery) {
        (id, job_id, event, url, status) = (delivery.id, delivery.jobID, delivery.event, delivery.url, delivery.status)
        attempts = delivery.attempts.map {
            Attempt(attempt: $0.attempt, at: $0.at, status_code: $0.statusCode, error: $0.error, duration_ms: $0.durationMilliseconds)
        }
        (next_attempt_at, created_at, delivered_at, last_error) =
            (delivery.nextAttemptAt, delivery.createdAt, delivery.deliveredAt, delivery.lastError)
    }
}

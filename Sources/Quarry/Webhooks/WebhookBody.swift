/// What a webhook delivery carries: the job as the HITL API renders its status, taken when the job
/// reaches the status that reports and kept with the delivery, so every retry sends the same bytes.
/// The domain decides when a job reports; the API decides how the report reads.
public typealias WebhookBody = @Sendable (_ job: HITLJob, _ baseURL: String) throws -> [UInt8]

/// A job reported with no `WebhookBody` configured: a wiring mistake, refused rather than sent empty.
struct WebhookBodyMissing: Error, CustomStringConvertible {
    var description: String { "no webhook body is configured (Services.Settings.webhookBody)" }
}

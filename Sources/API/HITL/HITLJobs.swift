import Foundation
import HTTP
import Quarry

struct HITLJobs: Sendable {
    let services: Services
    /// The base a new job keeps for its links (`JobLinks`).
    let urls: PublicURLs

    static let defaultPageSize = 100
    static let maxPageSize = 1000

    /// `POST /v1/jobs`. Typed fields are decoded strictly (`expiration_minutes` must be a JSON
    /// integer); `predictions` is any JSON the client agreed on, kept as sent (keys sorted).
    func create(_ request: Request, _ account: Account) throws -> Response {
        let body = try JSON.decode(Body.self, from: request)
        var job = JobRequest(projectID: body.project_id, fileURLs: body.file_urls, webhookURL: body.webhook_url,
                             webhookHeaders: body.webhook_headers ?? [:], expirationMinutes: try body.minutes,
                             linkBase: urls.base(of: request))
        if let predictions = body.predictions {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            job.predictions = String(decoding: try encoder.encode(predictions), as: UTF8.self)
        }
        let id = try services.hitl.createJob(accountID: account.id, job)
        return JSON.response(["job_id": id])
    }

    func status(_ request: Request, _ account: Account) throws -> Response {
        let job = try job(request, account)
        return JSON.response(JobStatusDocument(job, baseURL: services.jobLinks.base(for: job)))
    }

    /// `DELETE`: answers a list holding the canceled job's status object, as the spec describes.
    func cancel(_ request: Request, _ account: Account) throws -> Response {
        let job = try services.hitl.cancel(accountID: account.id, projectID: request.parameter("project_id") ?? "",
                                           jobID: request.parameter("job_id") ?? "")
        return JSON.response([JobStatusDocument(job, baseURL: services.jobLinks.base(for: job))])
    }

    /// `GET /v1/jobs/{project_id}`: as the spec says, every job of the project in one JSON list, oldest
    /// first, streamed (`JobListStream`). A client that asks for paging with `page` (from 1) or
    /// `page_size` (default 100, at most 1000) gets that page, with `X-Page` and `X-Page-Size`. The
    /// project's total is in `X-Total-Count` either way.
    func list(_ request: Request, _ account: Account) throws -> Response {
        let projectID = request.parameter("project_id") ?? ""
        guard let (page, size) = try paging(request) else {
            let listing = try services.hitl.listing(accountID: account.id, projectID: projectID)
            return JobListStream.response(listing, services: services, requestID: request.requestID)
        }
        let (jobs, total) = try services.hitl.jobs(accountID: account.id, projectID: projectID, page: page, pageSize: size)
        var response = JSON.response(jobs.map { JobStatusDocument($0, baseURL: services.jobLinks.base(for: $0)) })
        response.headers.append("X-Total-Count", String(total))
        response.headers.append("X-Page", String(page))
        response.headers.append("X-Page-Size", String(size))
        return response
    }

    /// The page asked for, or nil when neither `page` nor `page_size` is given. An empty parameter
    /// counts as absent, as everywhere in this API (query builders send optional fields that way).
    private func paging(_ request: Request) throws -> (page: Int, size: Int)? {
        func given(_ name: String) -> Bool { !(request.query[name] ?? "").isEmpty }
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            given(name) ? try request.integer(name, default: value, range: range) : value
        }
        guard given("page") || given("page_size") else { return nil }
        return (try number("page", default: 1, range: 1...1_000_000),
                try number("page_size", default: Self.defaultPageSize, range: 1...Self.maxPageSize))
    }

    /// A file of the job, to the same API key.
    func file(_ request: Request, _ account: Account) throws -> Response {
        let job = try job(request, account)
        guard let position = request.parameter("position").flatMap(Int.init),
              let file = job.files.first(where: { $0.position == position }) else {
            throw APIError.notFound("the job has no file \(request.parameter("position") ?? "")")
        }
        return try BlobResponse.make(file.blob, in: services.blobs, contentType: file.contentType, caching: .immutable,
                                     attachment: file.fileName)
    }

    /// Every webhook delivery of the account (or of one job) with each attempt.
    func deliveries(_ request: Request, _ account: Account) throws -> Response {
        let deliveries = try services.webhookDeliveries(accountID: account.id, jobID: request.query["job_id"])
        return JSON.response(["deliveries": deliveries.map(WebhookDeliveryDocument.init)])
    }

    /// The key receivers verify `X-Quarry-Signature` with.
    func secret(_ request: Request, _ account: Account) throws -> Response {
        JSON.response(["algorithm": "HMAC-SHA256", "header": "X-Quarry-Signature", "secret": try services.webhookSecret(accountID: account.id)])
    }

    private struct Body: Decodable {
        let project_id: String
        let file_urls: [String]
        let webhook_url: String?
        let webhook_headers: [String: String]?
        /// Read as any JSON so that a 1.5, "60" or true gets the range's message, which Foundation's
        /// error for a fraction in an Int would not name.
        let expiration_minutes: JSONValue?
        let predictions: JSONValue?

        var minutes: Int? {
            get throws(APIError) {
                switch expiration_minutes {
                case nil, .null?: return nil
                case .integer(let minutes)? where (1...1440).contains(minutes): return Int(minutes)
                default: throw APIError.invalid("expiration_minutes", "must be an integer from 1 to 1440")
                }
            }
        }
    }

    private func job(_ request: Request, _ account: Account) throws -> HITLJob {
        try services.hitl.job(accountID: account.id, projectID: request.parameter("project_id") ?? "", jobID: request.parameter("job_id") ?? "")
    }
}

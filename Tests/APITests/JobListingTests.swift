@testable import API
import Dispatch
import Foundation
@testable import HTTP
@testable import Quarry
import QuarryTesting
import Storage
import Testing

/// `GET /v1/jobs/{project_id}` over 100,000 jobs written straight through the store: the list is
/// complete and in order, and the handler streams it, holding one batch at a time. The stream is
/// drained here as a connection drains it (`take` when woken), which makes the bound exact rather
/// than a reading of the process's memory.
@Suite struct JobListingTests {
    static let jobCount = 100_000

    @Test func aHundredThousandJobsAreListedWholeOneBatchAtATime() throws {
        let directory = try TemporaryDirectory("quarry-job-listing")
        defer { directory.remove() }
        let services = try Services(dataDirectory: directory.path, settings: TestDatabases.settings())
        defer { services.close() }
        let (account, key) = try services.accounts.create(name: "bulk")
        let (projectID, jobIDs) = try Self.seed(services, accountID: account.id)

        let response = try Self.get("/v1/jobs/\(projectID)", key: key, app: App(services: services, configuration: App.Configuration()))
        #expect(response.status == .ok && response.headers["x-total-count"] == String(Self.jobCount))
        #expect(response.headers["x-page"] == nil)
        guard case .stream(let stream) = response.body else {
            Issue.record("the listing is not streamed")
            return
        }
        let woken = DispatchSemaphore(value: 0)
        stream.attach { woken.signal() }
        // Nothing is read before the connection asks: the handler only counted.
        #expect(stream.take().bytes.isEmpty)

        var body: [UInt8] = []
        var parts: [Int] = []
        while true {
            let (bytes, finished) = stream.take()
            body += bytes
            if !bytes.isEmpty { parts.append(bytes.count) }
            if finished || stream.isTerminated { break }
            // Bytes taken are "sent": take again at once, which asks for the next batch; else wait for it.
            if bytes.isEmpty, woken.wait(timeout: .now() + 120) == .timedOut {
                Issue.record("the stream stalled after \(parts.count) parts")
                break
            }
        }
        // One part per batch, and a batch is what is held: about 125 KB of a 25 MB list.
        #expect(parts.count == Self.jobCount / JobListStream.batchSize)
        let largest = parts.max() ?? 0
        #expect(largest < 256 << 10 && body.count > 150 * largest, "largest part \(largest) of \(body.count) bytes")

        let list = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [[String: Any]])
        #expect(list.count == Self.jobCount)
        #expect(list.map { $0["job_id"] as? String ?? "" } == jobIDs)
        #expect(list.allSatisfy { $0["project_id"] as? String == projectID && $0["status"] as? String == "new" })
        #expect((list.last?["image"] as? String)?.hasSuffix("/v1/jobs/\(projectID)/\(jobIDs.last ?? "")/files/0") == true)
    }

    /// An active HITL project of the account with `jobCount` jobs of one file each, created a
    /// millisecond apart; the jobs' ids in creation order.
    private static func seed(_ services: Services, accountID: String) throws -> (String, [String]) {
        let now = Timestamp.now()
        let project = Project(id: ID.make("proj"), accountID: accountID, name: "bulk", category: "", task: .classification,
                              status: .active, allowClassCreation: true, autoAnnotation: false, createdAt: now, updatedAt: now)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let blob = try #require(BlobID(hex: String(repeating: "ab", count: 32)))
        let file = FileDownloads.Stored(blob: blob, kind: .png, fileName: "frame.png", size: 100, url: "https://example.com/frame.png",
                                        image: nil)
        let ids = (0..<jobCount).map { String(format: "job-%06d", $0) }
        try services.database.write { db in
            try ProjectStore.insert(project, on: db)
            for (index, id) in ids.enumerated() {
                let created = Timestamp.format(start.addingTimeInterval(Double(index) / 1000))
                try TaskStore.insert(LabelTask(id: id, projectID: project.id, source: .hitl, status: .new, annotatorID: nil, reviewerID: nil,
                                               imageIDs: [], predictions: [], annotations: [], draft: nil, reviewComment: nil,
                                               createdAt: created, updatedAt: created, startedAt: nil, submittedAt: nil,
                                               finishedAt: nil), on: db)
                try HITLStore.insertFile(taskID: id, position: 0, file: file, on: db)
            }
        }
        return (project.id, ids)
    }

    private static func get(_ path: String, key: String, app: App) throws -> Response {
        let head = RequestHead(method: .get, target: path, version: .http1_1,
                               headers: HTTPFields([("Host", "quarry.test"), ("Authorization", "api_key \(key)")]),
                               keepAlive: true, expectsContinue: false)
        guard case .found(let route, let parameters) = app.router.match(.get, path: head.path) else {
            throw Failure(description: "no route for \(path)")
        }
        return try route.handler(Request(head: head, body: .empty, pathParameters: parameters, requestID: "listing",
                                         remoteAddress: "127.0.0.1"))
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}

import Dispatch
import Foundation
import HTTP
import Quarry
import Synchronization

/// Every job of a project as the one JSON list the spec shows, written as the client reads it. The body
/// pulls (`BodyStream.onDemand`): each time the client has been sent everything so far, the next
/// `batchSize` jobs are read (a read transaction of their own) and encoded. The server so holds one
/// batch (about 125 KB of jobs without results), whatever the number of jobs or the client's speed,
/// and a slow client holds no database reader between batches.
enum JobListStream {
    /// Jobs per read: large enough that the per-read cost (a transaction, a seek, a queue hop) is small
    /// next to encoding, small enough that a batch stays a few hundred kilobytes.
    static let batchSize = 500

    /// The 200 answer: its body is produced as it is sent, the total is in `X-Total-Count`.
    static func response(_ listing: JobListing, services: Services, requestID: String) -> Response {
        let body = BodyStream()
        let producer = Producer(listing: listing, services: services, requestID: requestID)
        // Weakly: the stream keeps this closure, and ends with the connection that sends it.
        body.onDemand { [weak body] in
            guard let body else { return }
            // Asked on the connection's event loop, which must not wait for the database.
            DispatchQueue.global().async { producer.produce(into: body) }
        }
        var headers = HTTPFields()
        headers.append("Content-Type", "application/json")
        headers.append("X-Total-Count", String(listing.total))
        return Response(status: .ok, headers: headers, body: .stream(body))
    }

    private final class Producer: Sendable {
        private struct Progress {
            var listing: JobListing
            var opened = false
            var listedAny = false
        }

        private let progress: Mutex<Progress>
        private let services: Services
        private let requestID: String

        init(listing: JobListing, services: Services, requestID: String) {
            progress = Mutex(Progress(listing: listing))
            self.services = services
            self.requestID = requestID
        }

        /// Writes the next part: `[` first, then the next batch's status objects, `]` after the last.
        /// A failure aborts the body, so the client sees it cut short rather than a list that ends early.
        func produce(into body: BodyStream) {
            do {
                let (bytes, finished) = try progress.withLock { try next(&$0) }
                if finished { body.finish(bytes) } else { body.write(bytes) }
            } catch {
                Diagnostics.log("error: request \(requestID) failed while listing jobs: \(error)")
                body.abort()
            }
        }

        private func next(_ progress: inout Progress) throws -> (bytes: [UInt8], finished: Bool) {
            let jobs = try services.hitl.next(&progress.listing, limit: JobListStream.batchSize)
            var bytes: [UInt8] = progress.opened ? [] : Array("[".utf8)
            progress.opened = true
            if !jobs.isEmpty {
                // As `JSON.response` writes them, so a streamed list reads like a page.
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let list = try encoder.encode(jobs.map { JobStatusDocument($0, baseURL: services.jobLinks.base(for: $0)) })
                if progress.listedAny { bytes += Array(",".utf8) }
                bytes += list.dropFirst().dropLast()
                progress.listedAny = true
            }
            if progress.listing.isFinished { bytes += Array("]".utf8) }
            return (bytes, progress.listing.isFinished)
        }
    }
}

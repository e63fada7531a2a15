import Foundation
@testable import API
@testable import Quarry
import Testing

/// The import API's own words for a job's status, and its nulls: clients written before the job
/// runner read `queued` and `done`, and find `error`, `dataset_id` and `finished_at` present.
struct ImportJobDocumentTests {
    static func job(_ status: JobStatus) -> ImportJob {
        ImportJob(id: "import-1", projectID: "proj-1", source: "upload", status: status, total: 2, processed: 1, imported: 0,
                  duplicates: [.init(name: "b.png", duplicateOf: "a.png")], skipped: [], error: nil, datasetID: nil,
                  createdAt: "2026-12-06T00:00:00Z", finishedAt: nil)
    }

    @Test func statusesAreTheImportAPIsWordsAndUnsetFieldsAreNull() throws {
        let expected: [JobStatus: String] = [.pending: "queued", .running: "running", .completed: "done", .failed: "failed"]
        for (status, word) in expected {
            let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(ImportJobDocument(Self.job(status))))
                as? [String: Any])
            #expect(object["status"] as? String == word)
            #expect(object["error"] is NSNull && object["dataset_id"] is NSNull && object["finished_at"] is NSNull)
            #expect((object["duplicates"] as? [[String: String]])?.first == ["name": "b.png", "duplicate_of": "a.png"])
        }
    }
}

import Foundation
import FuzzTargets
import Testing

/// Every file of every fuzz corpus, seeds and the crashes libFuzzer found alike, replayed through its
/// target: a fixed crash stays fixed, and the seeds keep exercising each parser in every test run.
struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus")

    static func files(_ target: FuzzTarget) -> [URL] {
        let folder = corpus.appendingPathComponent(target.rawValue)
        return ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusFilePasses(target: FuzzTarget) throws {
        let files = Self.files(target)
        #expect(!files.isEmpty, "no seed corpus for \(target.rawValue)")
        for file in files {
            #expect(throws: Never.self, "\(target.rawValue)/\(file.lastPathComponent)") {
                try target.run(Array(try Data(contentsOf: file)))
            }
        }
    }
}

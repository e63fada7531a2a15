import Foundation
@testable import Quarry
import QuarryTesting
import Testing

/// `Backup.make` beside a run that is still writing checkpoints.
@Suite struct BackupTests {
    @Test func checkpointsAreCopiedButTheirHalfWrittenReplacementsAreNot() throws {
        let directory = try TemporaryDirectory("quarry-backup")
        defer { directory.remove() }
        let services = try Services(dataDirectory: "\(directory.path)/data")
        defer { services.close() }
        let run = "\(directory.path)/data/runs/run-1"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(run)/last.ckpt", contents: Data("whole".utf8)))
        #expect(FileManager.default.createFile(atPath: "\(run)/last.ckpt.tmp-41-x9", contents: Data("half".utf8)))

        try Backup.make(services, to: "\(directory.path)/copy")

        let copied = try FileManager.default.contentsOfDirectory(atPath: "\(directory.path)/copy/runs/run-1")
        #expect(copied == ["last.ckpt"])
        #expect(FileManager.default.contents(atPath: "\(directory.path)/copy/runs/run-1/last.ckpt") == Data("whole".utf8))
    }
}

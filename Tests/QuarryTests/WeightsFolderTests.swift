import Foundation
@testable import Quarry
import QuarryTesting
import Testing

/// The weights folder (`QUARRY_WEIGHTS_DIR`): read once when the services open, its good files seen by
/// every account and kept from deletion, its bad ones left out without stopping the server.
@Suite struct WeightsFolderTests {
    static func withFolder(_ files: [String: [UInt8]], _ body: (Services, String, String, String) throws -> Void) throws {
        let folder = try TemporaryDirectory("quarry-weights-folder")
        defer { folder.remove() }
        for (name, bytes) in files { try Data(bytes).write(to: URL(fileURLWithPath: "\(folder.path)/\(name)")) }
        try WeightsServiceTests.withWeights(folder: folder.path) { services, owner, other in try body(services, owner, other, folder.path) }
    }

    @Test func goodFilesAreListedToEveryAccountAndBadOnesLeftOut() throws {
        let files = ["good.safetensors": WeightsFixtures.safetensors, "corrupt.pth": Array("PK\u{3}\u{4} and then nothing".utf8),
                     "notes.txt": Array("not weights".utf8)]
        try Self.withFolder(files) { services, owner, other, _ throws in
            for account in [owner, other] {
                let listed = try services.weights.list(accountID: account)
                #expect(listed.map(\.name) == ["good"])
                #expect(listed.first?.source == .folder)
                #expect(listed.first?.format == .safetensors)
                #expect(try services.weights.tensors(accountID: account, name: "good") == WeightsFixtures.sample)
            }
            #expect(services.weights.folder.skipped.map(\.fileName) == ["corrupt.pth"])
            #expect(services.weights.folder.skipped.first?.reason.contains("PyTorch zip") == true)
        }
    }

    @Test func aFolderFileCannotBeDeletedOrItsNameTaken() throws {
        try Self.withFolder(["good.safetensors": WeightsFixtures.safetensors]) { services, owner, _, _ throws in
            #expect(throws: WeightsFileError.inFolder("good")) { try services.weights.delete(accountID: owner, name: "good") }
            #expect(throws: WeightsFileError.nameTaken("good")) {
                try services.weights.upload(accountID: owner, name: "good", bytes: WeightsFixtures.pytorch)
            }
            #expect(try services.weights.list(accountID: owner).count == 1)
        }
    }

    @Test func aFileChangedSinceStartUpIsNotLoaded() throws {
        try Self.withFolder(["good.safetensors": WeightsFixtures.safetensors]) { services, owner, _, folder throws in
            try Data(WeightsFixtures.pytorch).write(to: URL(fileURLWithPath: "\(folder)/good.safetensors"))
            #expect {
                try services.weights.tensors(accountID: owner, name: "good")
            } throws: { error in
                guard case .unreadable(let reason) = error as? WeightsFileError else { return false }
                return reason.contains("changed since the server started")
            }
        }
    }

    @Test func namesThatBreakTheRulesOrRepeatAreLeftOut() throws {
        let files = [".hidden.safetensors": WeightsFixtures.safetensors, "twice.pt": WeightsFixtures.pytorch,
                     "twice.safetensors": WeightsFixtures.safetensors]
        try Self.withFolder(files) { services, owner, _, _ throws in
            #expect(try services.weights.list(accountID: owner).map(\.name) == ["twice"])
            #expect(try services.weights.list(accountID: owner).first?.format == .pytorch)
            #expect(services.weights.folder.skipped.map(\.fileName) == [".hidden.safetensors", "twice.safetensors"])
        }
    }

    @Test func aMissingFolderListsNothing() throws {
        try WeightsServiceTests.withWeights(folder: "/nonexistent/quarry-weights") { services, owner, _ throws in
            #expect(try services.weights.list(accountID: owner).isEmpty)
        }
    }
}

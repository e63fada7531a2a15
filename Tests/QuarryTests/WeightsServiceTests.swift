import Crypto
import Foundation
import Learn
@testable import Quarry
import QuarryTesting
import Testing

/// `WeightsService`'s uploads: each format read whole and identified, refusals that keep nothing, names
/// unique per account, and another account's uploads absent. (The folder's files: `WeightsFolderTests`.)
@Suite struct WeightsServiceTests {
    /// Services whose unreferenced blobs are collected at once, so a test can see that none is left.
    static func withWeights(maxBytes: Int = 1 << 30, folder: String? = nil, _ body: (Services, String, String) throws -> Void) throws {
        var settings = Services.Settings()
        (settings.blobGracePeriod, settings.maxWeightsBytes, settings.weightsFolder) = (.zero, maxBytes, folder)
        try withServices("quarry-weights", settings: settings) { services in
            let owner = try services.accounts.create(name: "owner").account.id
            let other = try services.accounts.create(name: "other").account.id
            try body(services, owner, other)
        }
    }

    /// Nothing of a refused upload is kept: no row, no blob, no temp file.
    static func expectNothingStored(_ services: Services, accountID: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try services.weights.list(accountID: accountID).isEmpty, sourceLocation: sourceLocation)
        #expect(try services.collectBlobs() == 0, sourceLocation: sourceLocation)
        #expect(try FileManager.default.contentsOfDirectory(atPath: services.spoolDirectory).isEmpty, sourceLocation: sourceLocation)
    }

    @Test(arguments: [(WeightsFormat.safetensors, WeightsFixtures.safetensors), (.pytorch, WeightsFixtures.pytorch)])
    func aFileIsReadWholeAndKept(format: WeightsFormat, bytes: [UInt8]) throws {
        try Self.withWeights { services, owner, _ throws in
            let file = try services.weights.upload(accountID: owner, name: "sample", bytes: bytes)
            #expect(file.format == format)
            #expect(file.fit == nil)
            #expect((file.tensorCount, file.parameterCount) == (2, 10))
            #expect(file.sha256 == Hex.encode(SHA256.hash(bytes)))
            #expect((file.byteCount, file.source) == (bytes.count, .upload))
            #expect(try services.weights.list(accountID: owner) == [file])
            #expect(try services.weights.tensors(accountID: owner, name: "sample") == WeightsFixtures.sample)
            // The row refers to its blob: collection keeps it.
            #expect(try services.collectBlobs() == 0)
        }
    }

    @Test func anONNXModelsInitializersAreItsTensors() throws {
        try Self.withWeights { services, owner, _ throws in
            let bytes = WeightsFixtures.onnx
            let file = try services.weights.upload(accountID: owner, name: "small.onnx-export", bytes: bytes)
            let expected = try ONNXInitializers.read(bytes)
            #expect(file.format == .onnx)
            #expect((file.tensorCount, file.parameterCount) == (expected.count, expected.parameterCount))
            #expect(try services.weights.tensors(accountID: owner, name: "small.onnx-export") == expected)
        }
    }

    @Test func aWholeResNet18IsIdentifiedWithItsNaming() throws {
        var random = Random(seed: 5)
        let model = ResNet18.make(classes: 10, inputSize: 224, random: &random)
        let bytes = SafeTensors.write(try PretrainedWeights.stateDict(of: model, backbone: .resnet18))
        try Self.withWeights { services, owner, _ throws in
            let file = try services.weights.upload(accountID: owner, name: "resnet18-imagenet", bytes: bytes)
            #expect(file.fit == WeightsFit(backbone: .resnet18, scheme: .torchvision))
            #expect(file.fit?.model == "resnet18")
            // The stored row reads back the same fit.
            #expect(try services.weights.list(accountID: owner).first?.fit == file.fit)
        }
    }

    @Test func refusedFilesLeaveNothing() throws {
        var truncated = WeightsFixtures.safetensors
        truncated.removeLast(8)
        let refusals: [(bytes: [UInt8], message: String)] = [
            (WeightsFixtures.legacyPyTorch, "legacy PyTorch format: save with torch.save's default zip format"),
            (truncated, "malformed weights file"),
            (Array(WeightsFixtures.onnx.dropLast(10)), "malformed weights file"),
            (Array(WeightsFixtures.pytorch.dropLast(30)), "the PyTorch zip was refused"),
            (Array("not weights at all".utf8), "not a safetensors file, a PyTorch zip or an ONNX model"),
            ([], "the file is empty"),
        ]
        try Self.withWeights { services, owner, _ throws in
            for refusal in refusals {
                #expect {
                    try services.weights.upload(accountID: owner, name: "refused", bytes: refusal.bytes)
                } throws: { error in
                    guard case .unreadable(let reason) = error as? WeightsFileError else { return false }
                    return reason.contains(refusal.message)
                }
                try Self.expectNothingStored(services, accountID: owner)
            }
        }
    }

    @Test func aFileOverTheLimitIsRefusedUnread() throws {
        try Self.withWeights(maxBytes: 1024) { services, owner, _ throws in
            #expect(throws: WeightsFileError.tooLarge(limit: 1024)) {
                try services.weights.upload(accountID: owner, name: "big", bytes: [UInt8](repeating: 0, count: 1025))
            }
            // A spooled upload over the limit is measured, not read, and removed.
            let spooled = "\(services.spoolDirectory)/spooled-upload"
            try Data(repeating: 0, count: 4096).write(to: URL(fileURLWithPath: spooled))
            #expect(throws: WeightsFileError.tooLarge(limit: 1024)) {
                try services.weights.upload(accountID: owner, name: "big", file: spooled)
            }
            try Self.expectNothingStored(services, accountID: owner)
        }
    }

    @Test func namesFollowTheRules() throws {
        #expect(["a", "resnet18", "resnet18.v1_a-b", "A.b", String(repeating: "x", count: 128)].allSatisfy(WeightsFile.isValidName))
        #expect(!["", ".hidden", "..", "a/b", "with space", "é", String(repeating: "x", count: 129)].contains(where: WeightsFile.isValidName))
        try Self.withWeights { services, owner, _ throws in
            #expect(throws: WeightsFileError.invalidName("../escape")) {
                try services.weights.upload(accountID: owner, name: "../escape", bytes: WeightsFixtures.safetensors)
            }
            try Self.expectNothingStored(services, accountID: owner)
        }
    }

    @Test func aNameIsTakenOncePerAccount() throws {
        try Self.withWeights { services, owner, other throws in
            _ = try services.weights.upload(accountID: owner, name: "sample", bytes: WeightsFixtures.safetensors)
            #expect(throws: WeightsFileError.nameTaken("sample")) {
                try services.weights.upload(accountID: owner, name: "sample", bytes: WeightsFixtures.pytorch)
            }
            #expect(try services.weights.list(accountID: owner).map(\.format) == [.safetensors])
            _ = try services.weights.upload(accountID: other, name: "sample", bytes: WeightsFixtures.pytorch)
            #expect(try services.weights.list(accountID: other).map(\.format) == [.pytorch])
        }
    }

    @Test func anotherAccountsUploadIsNotFound() throws {
        try Self.withWeights { services, owner, other throws in
            _ = try services.weights.upload(accountID: owner, name: "sample", bytes: WeightsFixtures.safetensors)
            #expect(try services.weights.list(accountID: other).isEmpty)
            #expect(throws: WeightsFileError.notFound("sample")) { try services.weights.tensors(accountID: other, name: "sample") }
            #expect(throws: WeightsFileError.notFound("sample")) { try services.weights.delete(accountID: other, name: "sample") }
            #expect(try services.weights.list(accountID: owner).count == 1)

            try services.weights.delete(accountID: owner, name: "sample")
            #expect(throws: WeightsFileError.notFound("sample")) { try services.weights.delete(accountID: owner, name: "sample") }
            #expect(throws: WeightsFileError.notFound("sample")) { try services.weights.tensors(accountID: owner, name: "sample") }
            // Its blob, no longer referenced, goes with the next collection.
            #expect(try services.collectBlobs() == 1)
        }
    }
}

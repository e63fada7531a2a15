import Foundation
import Quarry
import Testing

struct ExperimentConfigTests {
    /// Stored configurations are read through the same parser, so a row saved before a key existed
    /// comes back with that key's default instead of failing to decode.
    @Test func aConfigurationSavedBeforeAKeyExistedTakesItsDefault() throws {
        let saved = #"{"name": "old", "model": "resnet18", "epochs": 3}"#
        let config = try ExperimentConfig.parse(Data(saved.utf8))
        #expect(config.stem == "auto" && config.model == .resnet18 && config.epochs == 3)
    }

    @Test func aStemOutsideTheKnownOnesIsRefusedNamingTheField() {
        #expect(throws: ExperimentError.invalid(field: "stem", reason: "must be auto, imagenet or cifar")) {
            try ExperimentConfig.parse(Data(#"{"name": "x", "stem": "vgg"}"#.utf8))
        }
    }
}

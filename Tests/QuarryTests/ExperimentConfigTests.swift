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

    /// `device` is one name or a list of GPUs, and reads back in the form it was written.
    @Test func aDeviceIsOneNameOrAListAndKeepsItsForm() throws {
        for written in [#""gpu:1""#, #"["gpu:0", "gpu:1"]"#, #"["gpu:2"]"#] {
            let config = try ExperimentConfig.parse(Data(#"{"name": "x", "device": \#(written)}"#.utf8))
            let echoed = try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]
            let original = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed)
            #expect(String(describing: echoed?["device"] ?? "") == String(describing: original), "\(written)")
        }
        let patched = try ExperimentConfig.parse(Data(#"{"device": ["gpu:0", "gpu:1"]}"#.utf8),
                                                 over: ExperimentConfig.parse(Data(#"{"name": "x", "device": "cpu"}"#.utf8)))
        #expect(patched.device == DeviceSelection(list: ["gpu:0", "gpu:1"]) && patched.device.primary == .gpu(0))
        let refused: [(String, String, String)] = [
            (#"7"#, "device", "has the wrong type or value"),
            (#"["gpu:0", 1]"#, "device.1", "has the wrong type or value"),
            (#"["gpu:0", "gpu:0"]"#, "device", "names a GPU twice"),
            (#"["cpu", "gpu:0"]"#, "device", "a list trains data-parallel on GPUs only; name cpu alone"),
        ]
        for (written, field, reason) in refused {
            #expect(throws: ExperimentError.invalid(field: field, reason: reason), "\(written)") {
                try ExperimentConfig.parse(Data(#"{"name": "x", "device": \#(written)}"#.utf8))
            }
        }
        #expect(throws: ExperimentError.invalid(field: "device", reason: "lists 2 GPUs for a batch_size of 1: each needs a slice of the batch")) {
            try ExperimentConfig.parse(Data(#"{"name": "x", "batch_size": 1, "device": ["gpu:0", "gpu:1"]}"#.utf8))
        }
    }
}

import API
import Foundation
import Quarry
import Testing

/// The Studio's configuration bodies: unknown settings and bad choices refused by name, a PATCH that
/// changes only what it names (`null` resetting what may be unset), and `device` as one name or a list
/// that reads back in the form it was written.
struct ExperimentConfigChangesTests {
    private func config(_ body: String, over base: ExperimentConfig = ExperimentConfig(name: "")) throws -> ExperimentConfig {
        var config = base
        try JSON.decode(ExperimentConfigChanges.self, from: Data(body.utf8), keys: ExperimentConfigChanges.keys).apply(to: &config)
        try config.validate()
        return config
    }

    @Test func refusalsNameTheField() {
        let refused: [(String, String)] = [
            (#"{"name": "x", "stem": "vgg"}"#, "stem must be auto, imagenet or cifar"),
            (#"{"name": "x", "optimizer": {"name": "lion"}}"#, "optimizer.name must be adamw or sgd"),
            (#"{"name": "x", "colour": 1}"#, "colour is not a known setting"),
            (#"{"name": "x", "optimizer": {"beta": 1}}"#, "optimizer.beta is not a known setting"),
            (#"{"name": "x", "epochs": "ten"}"#, "epochs has the wrong type"),
            (#"{"name": "x", "device": 7}"#, "device has the wrong type"),
            (#"{"name": "x", "device": ["gpu:0", 1]}"#, "device.1 has the wrong type"),
            (#"{"name": "x", "device": ["gpu:0", "gpu:0"]}"#, "device names a GPU twice"),
            (#"{"name": "x", "device": ["cpu", "gpu:0"]}"#, "device a list trains data-parallel on GPUs only; name cpu alone"),
            (#"{"name": "x", "batch_size": 1, "device": ["gpu:0", "gpu:1"]}"#, "device lists 2 GPUs for a batch_size of 1: each needs a slice of the batch"),
            (#"{"epochs": 3}"#, "name must be 1 to 200 characters"),
            (#"[1]"#, "request body must be a JSON object"),
        ]
        for (body, message) in refused {
            do {
                _ = try config(body)
                Issue.record("\(body) was accepted")
            } catch let error as APIError {
                #expect(error.message == message, "\(body)")
            } catch let ExperimentError.invalid(field, reason) {
                #expect("\(field) \(reason)" == message, "\(body)")
            } catch {
                Issue.record("\(body): \(error)")
            }
        }
    }

    @Test func aPatchChangesOnlyWhatItNamesAndNullResets() throws {
        let base = try config(#"{"name": "x", "epochs": 4, "gradient_clip": 1.5, "optimizer": {"name": "sgd", "weight_decay": 0.2}}"#)
        let patched = try config(#"{"optimizer": {"lr": 0.01}, "gradient_clip": null}"#, over: base)
        #expect(patched.epochs == 4 && patched.optimizer.kind == .sgd && patched.optimizer.learningRate == 0.01)
        #expect(patched.gradientClip == nil && patched.optimizer.weightDecay == 0.2)
        #expect(try config(#"{"optimizer": {"weight_decay": null}}"#, over: base).weightDecay == 0, "SGD's own default")
    }

    @Test func aDeviceIsOneNameOrAListAndKeepsItsForm() throws {
        for written in [#""gpu:1""#, #"["gpu:0", "gpu:1"]"#, #"["gpu:2"]"#] {
            let document = try JSONEncoder().encode(try config(#"{"name": "x", "device": \#(written)}"#))
            let echoed = try JSONSerialization.jsonObject(with: document) as? [String: Any]
            let original = try JSONSerialization.jsonObject(with: Data(written.utf8), options: .fragmentsAllowed)
            #expect(String(describing: echoed?["device"] ?? "") == String(describing: original), "\(written)")
        }
    }
}

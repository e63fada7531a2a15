import Quarry
import Testing

/// How a configuration is kept in its row: every setting written, and a row saved before a setting
/// existed read back with that setting's default instead of failing.
struct ExperimentConfigCodableTests {
    @Test func aConfigurationSavedBeforeASettingExistedTakesItsDefault() throws {
        let config = try ExperimentConfig.stored(#"{"name": "old", "model": "resnet18", "epochs": 3, "optimizer": {"name": "sgd", "lr": 0.1}}"#)
        #expect(config.stem == .auto && config.model == .resnet18 && config.epochs == 3 && config.device == "cpu")
        #expect(config.optimizer.kind == .sgd && config.optimizer.momentum == 0.9 && config.weightDecay == 0)
    }

    @Test func everySettingReadsBackAsItWasWritten() throws {
        var config = ExperimentConfig(name: "all")
        (config.splitIndex, config.trainSubset, config.validationSubset, config.model) = (2, .val, .test, .mobileNetV2)
        (config.width, config.stem, config.imageSize, config.epochs, config.batchSize) = (0.5, .cifar, 32, 7, 16)
        (config.optimizer.kind, config.optimizer.learningRate, config.optimizer.weightDecay) = (.sgd, 0.05, 0.001)
        (config.optimizer.momentum, config.optimizer.nesterov) = (0.8, true)
        (config.scheduler.kind, config.scheduler.warmupEpochs, config.scheduler.stepSize, config.scheduler.gamma) = (.step, 1, 3, 0.5)
        (config.augmentations.horizontalFlip, config.augmentations.randomResizedCrop) = (false, true)
        (config.labelSmoothing, config.gradientClip, config.tf32, config.seed) = (0.1, 2, true, 42)
        config.device = DeviceSelection(list: ["gpu:0", "gpu:1"])
        #expect(try ExperimentConfig.stored(config.storedText) == config)
        #expect(try config.storedText.contains(#""device":["gpu:0","gpu:1"]"#), "a list stays a list")
    }

    @Test func aRowWithAnUnknownChoiceIsRefusedRatherThanGuessed() {
        #expect(throws: (any Error).self) { try ExperimentConfig.stored(#"{"name": "x", "model": "vgg"}"#) }
    }
}

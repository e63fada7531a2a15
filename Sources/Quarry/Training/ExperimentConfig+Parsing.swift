import Foundation
import Learn

extension ExperimentConfig {
    private static let keys: Set<String> = ["name", "split_index", "train_subset", "val_subset", "model", "width", "stem", "image_size",
                                            "epochs", "batch_size", "optimizer", "scheduler", "augmentations", "label_smoothing",
                                            "gradient_clip", "device", "tf32", "seed"]
    private static let nestedKeys: [String: Set<String>] = [
        "optimizer": ["name", "lr", "weight_decay", "momentum", "nesterov"],
        "scheduler": ["name", "warmup_epochs", "step_size", "gamma"],
        "augmentations": ["hflip", "random_resized_crop"],
    ]

    /// Parses a JSON object, starting from `base` (for PATCH) or the defaults, then validates. Stored
    /// configurations are read the same way, so one saved before a key existed takes that key's default.
    public static func parse(_ data: Data, over base: ExperimentConfig? = nil) throws(ExperimentError) -> ExperimentConfig {
        let object: [String: Any]
        do {
            object = try StrictJSON.object(data, keys: keys, nested: nestedKeys)
        } catch {
            throw .invalid(field: error.field, reason: error.reason)
        }
        // Merge over the base (or the defaults) at the JSON level, so a PATCH changes only what it names.
        var merged = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(base ?? ExperimentConfig(name: "")))) as? [String: Any] ?? [:]
        for (key, value) in object {
            if let nested = value as? [String: Any], var current = merged[key] as? [String: Any] {
                for (inner, innerValue) in nested { current[inner] = innerValue }
                merged[key] = current
            } else {
                merged[key] = value
            }
        }
        let config: ExperimentConfig
        do {
            config = try StrictJSON.typed(ExperimentConfig.self, from: (try? JSONSerialization.data(withJSONObject: merged)) ?? Data())
        } catch {
            throw .invalid(field: error.field, reason: error.reason)
        }
        try config.validate()
        return config
    }

    func validate() throws(ExperimentError) {
        func check(_ ok: Bool, _ field: String, _ reason: String) throws(ExperimentError) {
            if !ok { throw .invalid(field: field, reason: reason) }
        }
        try check(!name.trimmingCharacters(in: .whitespaces).isEmpty && name.count <= 200, "name", "must be 1 to 200 characters")
        try check(split_index >= 0, "split_index", "must not be negative")
        try check(["train", "val", "test"].contains(train_subset), "train_subset", "must be train, val or test")
        try check(["train", "val", "test"].contains(val_subset), "val_subset", "must be train, val or test")
        try check(width > 0 && width <= 4, "width", "must be above 0 and at most 4")
        try check(stem == "auto" || Stem(rawValue: stem) != nil, "stem", "must be auto, imagenet or cifar")
        try check((8...512).contains(image_size), "image_size", "must be from 8 to 512")
        try check((1...1000).contains(epochs), "epochs", "must be from 1 to 1000")
        try check((1...1024).contains(batch_size), "batch_size", "must be from 1 to 1024")
        try check(["adamw", "sgd"].contains(optimizer.name), "optimizer.name", "must be adamw or sgd")
        try check(optimizer.lr > 0 && optimizer.lr <= 10, "optimizer.lr", "must be above 0 and at most 10")
        try check(weightDecay >= 0 && weightDecay <= 1, "optimizer.weight_decay", "must be from 0 to 1")
        try check(optimizer.momentum >= 0 && optimizer.momentum < 1, "optimizer.momentum", "must be from 0 up to 1")
        try check(!optimizer.nesterov || optimizer.momentum > 0, "optimizer.nesterov", "needs a momentum above 0")
        try check(["cosine", "step", "none"].contains(scheduler.name), "scheduler.name", "must be cosine, step or none")
        try check(scheduler.warmup_epochs >= 0 && scheduler.warmup_epochs < epochs, "scheduler.warmup_epochs",
                  "must be at least 0 and fewer than the epochs")
        try check(scheduler.step_size >= 1, "scheduler.step_size", "must be at least 1")
        try check(scheduler.gamma > 0 && scheduler.gamma <= 1, "scheduler.gamma", "must be above 0 and at most 1")
        try check(label_smoothing >= 0 && label_smoothing < 1, "label_smoothing", "must be from 0 up to 1")
        try check(gradient_clip.map { $0 > 0 } ?? true, "gradient_clip", "must be above 0")
        if let problem = device.problem(batchSize: batch_size) { throw .invalid(field: "device", reason: problem) }
    }
}

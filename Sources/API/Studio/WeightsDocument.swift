import Quarry

/// A weights file as the Studio API shows it (docs/studio.md, "Weights"). `model` is the classifier whose
/// backbone the file holds whole (`resnet18`, `mobilenet_v2`) and `naming` whose module names it uses
/// (`torchvision`, `timm`); both are sent as null, not left out, where it fits neither.
struct WeightsDocument: Encodable {
    let file: WeightsFile

    init(_ file: WeightsFile) {
        self.file = file
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        try container.encode(file.name, forKey: JSONKey("name"))
        try container.encode(file.format.rawValue, forKey: JSONKey("format"))
        try container.encode(file.fit?.model, forKey: JSONKey("model"))
        try container.encode(file.fit?.scheme.rawValue, forKey: JSONKey("naming"))
        try container.encode(file.tensorCount, forKey: JSONKey("tensors"))
        try container.encode(file.parameterCount, forKey: JSONKey("parameters"))
        try container.encode(file.sha256, forKey: JSONKey("sha256"))
        try container.encode(file.byteCount, forKey: JSONKey("bytes"))
        try container.encode(file.source.rawValue, forKey: JSONKey("source"))
        try container.encode(file.createdAt, forKey: JSONKey("created_at"))
    }
}

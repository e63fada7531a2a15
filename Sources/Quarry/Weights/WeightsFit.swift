import Learn

/// The zoo network whose backbone a weights file holds whole, and whose module names it uses
/// (`PretrainedWeights.identify`).
public struct WeightsFit: Sendable, Equatable {
    public let backbone: Backbone
    public let scheme: StateDictLayout.Scheme

    public init(backbone: Backbone, scheme: StateDictLayout.Scheme) {
        (self.backbone, self.scheme) = (backbone, scheme)
    }

    /// The classifier of this backbone as experiments name it (`resnet18`, `mobilenet_v2`): the API's
    /// and the table's word for the fit.
    public var model: String { backbone.classifier.rawValue }

    /// The fit a row records; nil where it records none (or a word this Quarry does not know).
    init?(model: String?, naming: String?) {
        guard let backbone = Backbone.allCases.first(where: { $0.classifier.rawValue == model }),
              let scheme = naming.flatMap(StateDictLayout.Scheme.init(rawValue:)) else { return nil }
        self.init(backbone: backbone, scheme: scheme)
    }
}

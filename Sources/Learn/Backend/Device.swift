/// Where a model's arithmetic runs, written `cpu` or `gpu:N` in configurations.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    /// The N-th CUDA device, counted as the driver counts them.
    case gpu(Int)

    public init?(_ text: String) {
        if text == "cpu" {
            self = .cpu
        } else if let match = text.wholeMatch(of: /gpu:(\d{1,2})/), let index = Int(match.1) {
            self = .gpu(index)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .gpu(let index): "gpu:\(index)"
        }
    }
}

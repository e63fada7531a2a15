/// One of a split's three parts; the raw value is the name the split's rows and the APIs use.
public enum SplitSubset: String, Sendable, CaseIterable {
    case train
    case val
    case test
}

/// The devices a process takes work for, by name (`cpu`, `gpu:N`): every one it has (`quarry serve`),
/// or those named (`quarry worker --device gpu:0`). A job asks for its devices as a comma-separated list
/// in its row (`JobKind.deviceColumn`), and a process claims it only when it has them all; a job that
/// asks for nothing needs a CPU.
public struct WorkDevices: Sendable, Equatable, CustomStringConvertible {
    public let names: [String]

    public init(names: [String]) {
        self.names = names
    }

    /// The CPU and the first `gpus` GPUs.
    public static func local(gpus: Int) -> WorkDevices {
        WorkDevices(names: ["cpu"] + (0..<gpus).map { "gpu:\($0)" })
    }

    @Sendable func accepts(_ requirement: String?) -> Bool {
        guard let requirement else { return names.contains("cpu") }
        return Self.names(in: requirement).allSatisfy(names.contains)
    }

    /// The devices of a requirement as a row stores it.
    static func names(in requirement: String) -> [String] {
        requirement.split(separator: ",").map(String.init)
    }

    /// A row's requirement for `names`.
    static func requirement(_ names: [String]) -> String {
        names.joined(separator: ",")
    }

    public var description: String { Self.requirement(names) }
}

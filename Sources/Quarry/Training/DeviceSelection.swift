import Learn

/// What an experiment or a resumed run trains on: one device, written `"cpu"` or `"gpu:N"`, or a list
/// of GPUs, `["gpu:0", "gpu:1"]`, that train data-parallel (Learn's `DataParallel`). Kept in the form
/// it was given, so a configuration reads back as it was written.
public struct DeviceSelection: Sendable, Equatable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// As written: one name, or the list's.
    public let names: [String]
    /// Whether it was written as a list (of one or more).
    public let isList: Bool

    public init(_ name: String) {
        (names, isList) = ([name], false)
    }

    public init(list names: [String]) {
        (self.names, isList) = (names, true)
    }

    public init(stringLiteral name: String) {
        self.init(name)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let name = try? container.decode(String.self) {
            self.init(name)
        } else {
            self.init(list: try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if isList { try container.encode(names) } else { try container.encode(names[0]) }
    }

    /// The devices named, or nil when one is not a device.
    public var devices: [Device]? {
        let devices = names.compactMap(Device.init)
        return devices.count == names.count ? devices : nil
    }

    /// The device that evaluates, checkpoints and, by default, pre-labels: the first.
    public var primary: Device { devices?.first ?? .cpu }

    public var description: String {
        isList ? "[\(names.joined(separator: ", "))]" : names[0]
    }

    /// Most GPUs one run trains on.
    public static let maximumDevices = 16

    /// Why this selection cannot train batches of `batchSize`: nil when it names one device, or 2 to 16
    /// distinct GPUs and no more of them than a batch has samples (each trains a slice of it).
    public func problem(batchSize: Int) -> String? {
        if let problem { return problem }
        guard names.count <= batchSize else { return "lists \(names.count) GPUs for a batch_size of \(batchSize): each needs a slice of the batch" }
        return nil
    }

    private var problem: String? {
        guard let devices, !devices.isEmpty else { return "must be cpu, gpu:N or a list of GPUs such as [\"gpu:0\", \"gpu:1\"]" }
        guard devices.count > 1 else { return nil }
        guard devices.count <= Self.maximumDevices else { return "lists at most \(Self.maximumDevices) GPUs" }
        guard !devices.contains(.cpu) else { return "a list trains data-parallel on GPUs only; name cpu alone" }
        guard Set(devices).count == devices.count else { return "names a GPU twice" }
        return nil
    }
}

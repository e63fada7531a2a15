/// Why the GPU could not do what was asked, in the driver's own words where it gave any.
public enum GPUError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The library or one of its functions is not there.
    case unavailable(String)
    /// A call failed with the driver's CUresult (or NVML's nvmlReturn_t), its name
    /// (`CUDA_ERROR_LAUNCH_FAILED`) and message (`unspecified launch failure`).
    case driver(call: String, code: Int32, name: String, message: String)
    /// Device memory ran out even after the cache gave back what it held: what was asked for and
    /// what the driver said was free then.
    case outOfMemory(device: Int, requested: Int, free: Int, total: Int, message: String)

    public var description: String {
        switch self {
        case .unavailable(let reason): reason
        case .driver(let call, let code, let name, let message):
            "\(call) failed: \(name)\(message.isEmpty ? "" : " (\(message))")\(name.hasSuffix("\(code)") ? "" : ", code \(code)")"
        case .outOfMemory(let device, let requested, let free, let total, let message):
            "gpu:\(device) is out of memory (\(message)): asked for \(Self.mebibytes(requested)), "
                + "\(Self.mebibytes(free)) free of \(Self.mebibytes(total)); a smaller batch_size or image_size needs less"
        }
    }

    private static func mebibytes(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\((Double(bytes) / 1_048_576 * 10).rounded() / 10) MiB" : "\(bytes) bytes"
    }
}

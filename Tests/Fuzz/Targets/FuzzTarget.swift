/// One parser or decoder that takes bytes Quarry does not control, and the invariants it must keep
/// on any input. Refusing bad input with an error is the expected outcome; a crash, a hang, or an
/// invariant broken is a failure.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A request head, whole and dripped in pieces, then a chunked body the same two ways.
    case http
    /// A multipart body, whole and in pieces.
    case multipart
    /// A ZIP archive: its central directory, names and every entry's data.
    case zip
    /// PNG and JPEG header checks, then full decodes held to what the header said.
    case image
    /// The JSON request bodies with the most structure: experiment configs, export requests,
    /// labels from the workbench, and free-form predictions.
    case json
    /// The ONNX writer: its protobuf encoder and whole exported models, read back.
    case onnx

    public func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        switch self {
        case .http: try HTTPFuzz.run(bytes)
        case .multipart: try MultipartFuzz.run(bytes)
        case .zip: try ZipFuzz.run(bytes)
        case .image: try ImageFuzz.run(bytes)
        case .json: try JSONFuzz.run(bytes)
        case .onnx: try ONNXFuzz.run(bytes)
        }
    }
}

/// An invariant the code under test broke; the driver turns it into a crash libFuzzer records.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Requires `condition`, naming what broke when it does not hold.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}

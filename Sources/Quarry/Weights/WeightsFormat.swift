/// How a weights file is written, told from its content, never its name.
public enum WeightsFormat: String, Sendable, CaseIterable {
    /// Hugging Face's: an 8-byte little-endian header length, then the JSON header.
    case safetensors
    /// The zip `torch.save` writes by default (since PyTorch 1.6).
    case pytorch
    /// An ONNX model, whose initializers are the weights.
    case onnx

    /// The format of a file that starts with `head`. What is neither a safetensors file nor a zip is
    /// taken for ONNX, whose protobuf has no signature; its reader then says what is wrong. A pickle
    /// (PROTO, 0x80) is PyTorch's legacy format, which would need the pickle's own storage layout
    /// read: refused, saying how to save the file instead.
    static func detect(_ head: ArraySlice<UInt8>) throws(WeightsFileError) -> WeightsFormat {
        let bytes = Array(head.prefix(9))
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .pytorch }
        if bytes.first == 0x80 { throw .unreadable("legacy PyTorch format: save with torch.save's default zip format") }
        if bytes.count == 9, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        return .onnx
    }

    /// Whether a file taken for ONNX starts as ONNX's writers start a model: with its `ir_version`
    /// (field 1, a varint). Where it does not, a reader's complaint is better put as "not weights".
    static func looksLikeONNX(_ head: ArraySlice<UInt8>) -> Bool { head.first == 0x08 }
}

import Testing

/// Weights files experiments start from (`/api/models/weights`): uploaded, listed, refused, deleted; and
/// another account's upload absent.
extension StudioScenarios {
    static let weights: [Scenario] = [
        Scenario("weights are uploaded, listed and deleted", accounts: ["key", "other"], [
            studio(.post("/api/models/weights")).multipart([.field("name", "tiny"), weightsFile("tiny.safetensors", tiny)])
                .expect(201).has("data.name", "tiny").has("data.format", "safetensors").has("data.model", nil).has("data.naming", nil)
                .has("data.tensors", 1).has("data.parameters", 2).has("data.sha256", .string(tinySHA256)).has("data.bytes", 70)
                .has("data.source", "upload").has("data.created_at", .present),
            // Without a name field, the file's name less its extension; a part this large arrives spooled.
            studio(.post("/api/models/weights")).multipart([weightsFile("large.safetensors", large)])
                .expect(201).has("data.name", "large").has("data.parameters", 80_000),
            studio(.get("/api/models/weights")).expect(200).has("data.weights", .count(2)).has("data.weights.0.name", "large")
                .has("data.weights.1.name", "tiny").has("data.weights.1.model", nil),
            other(.get("/api/models/weights")).expect(200).has("data.weights", .count(0)),
            studio(.post("/api/models/weights")).multipart([.field("name", "tiny"), weightsFile("again.safetensors", tiny)])
                .fails(409, .studio("CONFLICT"), "weights named 'tiny' already exist"),
            studio(.post("/api/models/weights")).multipart([.field("name", "../escape"), weightsFile("tiny.safetensors", tiny)])
                .fails(422, .studio("VALIDATION_ERROR"), "name must be 1 to 128 letters").has("error.details.field", "name"),
            studio(.post("/api/models/weights")).multipart([weightsFile(".safetensors", tiny)])
                .fails(422, .studio("VALIDATION_ERROR"), "name must be").has("error.details.field", "name"),
            studio(.post("/api/models/weights")).multipart([.field("name", "nothing"), .field("file", "not a file")])
                .fails(422, .studio("VALIDATION_ERROR"), "part named 'file'").has("error.details.field", "file"),
            studio(.post("/api/models/weights")).multipart([.field("name", "text"), weightsFile("text.onnx", Array("not weights".utf8))])
                .fails(422, .studio("VALIDATION_ERROR"), "not a safetensors file, a PyTorch zip or an ONNX model"),
            studio(.post("/api/models/weights")).multipart([.field("name", "cut"), weightsFile("cut.safetensors", Array(tiny.dropLast(4)))])
                .fails(422, .studio("VALIDATION_ERROR"), "malformed weights file"),
            studio(.post("/api/models/weights")).multipart([.field("name", "old"), weightsFile("old.pth", [0x80, 0x02, 0x8A, 0x0A, 0x6C])])
                .fails(422, .studio("VALIDATION_ERROR"), "legacy PyTorch format"),
            studio(.post("/api/models/weights")).bytes(tiny, type: "application/octet-stream")
                .fails(415, .studio("UNSUPPORTED_MEDIA_TYPE"), "multipart/form-data"),
            studio(.get("/api/models/weights")).expect(200).has("data.weights", .count(2)),
            other(.delete("/api/models/weights/tiny")).fails(404, .studio("NOT_FOUND"), "weights 'tiny' not found"),
            .get("/api/models/weights").fails(401, .studio("UNAUTHORIZED")),
            .post("/api/models/weights").multipart([weightsFile("tiny.safetensors", tiny)]).fails(401, .studio("UNAUTHORIZED")),
            .delete("/api/models/weights/tiny").fails(401, .studio("UNAUTHORIZED")),
            studio(.delete("/api/models/weights/tiny")).expect(200).has("data.name", "tiny").has("data.deleted", true),
            studio(.delete("/api/models/weights/tiny")).fails(404, .studio("NOT_FOUND")),
            studio(.get("/api/models/weights")).expect(200).has("data.weights", .count(1)).has("data.weights.0.name", "large"),
        ]),
    ]

    static func weightsFile(_ name: String, _ bytes: [UInt8]) -> StepBody.Part {
        .file(field: "file", name: name, bytes: bytes, type: "application/octet-stream")
    }

    /// A safetensors file of one float32 tensor `w` of `count` zeros.
    static func safetensors(count: Int) -> [UInt8] {
        let header = Array(#"{"w":{"dtype":"F32","shape":[\#(count)],"data_offsets":[0,\#(count * 4)]}}"#.utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + [UInt8](repeating: 0, count: count * 4)
    }

    static let tiny = safetensors(count: 2)
    /// SHA-256 of `tiny`, as `sha256sum` prints it.
    static let tinySHA256 = "c725cce4a2a7bf1d67898a30298f2c6efa578b0c445916216cfa1dec969ca388"
    /// Over the 256 KiB a multipart part is kept in memory.
    static let large = safetensors(count: 80_000)
}

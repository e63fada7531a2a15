import Foundation
import Testing
@testable import Learn

struct SafeTensorsTests {
    /// `safetensors.torch.save` (0.7) of a float32 matrix, float16 and bfloat16 vectors and an int64 scalar.
    static let fromPython = Array(Data(base64Encoded: """
        IAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJwdCJ9LCJibi5udW1fYmF0Y2hlc190cmFja2VkIjp7ImR0eXBlIjoiSTY0Iiwic2hhcGUi\
        OltdLCJkYXRhX29mZnNldHMiOlswLDhdfSwiYS53ZWlnaHQiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzgsMzJd\
        fSwiYnJhaW4iOnsiZHR5cGUiOiJCRjE2Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbMzIsMzZdfSwiaGFsZiI6eyJkdHlwZSI6IkYxNiIsInNo\
        YXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzM2LDQyXX19ICAHAAAAAAAAAAAAwD8AAADAAABQQAAAAAAAAIBAAAAAv0lAgL9mLv/7ADw=
        """)!)

    @Test func readsWhatThePythonLibraryWrites() throws {
        let tensors = try SafeTensors.read(Self.fromPython)
        #expect(tensors.entries.map(\.name) == ["bn.num_batches_tracked", "a.weight", "brain", "half"])
        #expect(tensors["a.weight"] == .init(name: "a.weight", shape: [2, 3], values: [1.5, -2, 3.25, 0, 4, -0.5]))
        #expect(tensors["half"]?.values == [0.0999755859375, -65504, 1])
        #expect(tensors["brain"]?.values == [3.140625, -1])
        #expect(tensors["bn.num_batches_tracked"] == .init(name: "bn.num_batches_tracked", shape: [], values: [7]))
    }

    @Test func writingThenReadingGivesTheTensorsBack() throws {
        var tensors = NamedTensors()
        try tensors.append(.init(name: "conv.weight", shape: [2, 1, 2, 2], values: (0..<8).map { Float($0) * 0.5 - 1 }))
        try tensors.append(.init(name: "scalar", shape: [], values: [.pi]))
        try tensors.append(.init(name: "empty", shape: [0, 3], values: []))
        let bytes = SafeTensors.write(tensors, metadata: ["format": "pt"])
        #expect((bytes.count - 8 - 4 * 9) % 8 == 0, "the data starts 8-byte aligned")
        let read = try SafeTensors.read(bytes)
        #expect(Set(read.entries.map(\.name)) == ["conv.weight", "scalar", "empty"])
        for entry in tensors.entries { #expect(read[entry.name] == entry) }
    }

    /// The header's first 8 bytes, then `json`, then `data`.
    static func file(_ json: String, data: [UInt8] = []) -> [UInt8] {
        let header = Array(json.utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + data
    }

    @Test func badFilesAreRefusedByName() {
        let four = [UInt8](repeating: 0, count: 4)
        let cases: [([UInt8], WeightsError)] = [
            ([1, 2, 3], .malformed("3 bytes, shorter than the 8-byte header length")),
            (Array(Self.fromPython.prefix(200)), .malformed("a header of 288 bytes in a file of 200")),
            (Self.file("[1]"), .malformed("the header is not a JSON object")),
            (Self.file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: four),
             .malformed("\"x\": shape [2], bytes 0 to 8 of 4")),
            (Self.file(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: four),
             .malformed("\"x\": 4 bytes for [2] of F32")),
            (Self.file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#,
                       data: four), .malformed("\"x\" and \"y\" overlap")),
            (Self.file(#"{"x":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, data: four + four), .unsupported("\"x\" has dtype C64")),
            (Self.file(#"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                       data: four), .duplicated("x")),
            (Self.file(#"{"x":{"dtype":"F32","shape":[1]}}"#, data: four), .malformed("\"x\" lacks a dtype, a shape or two data offsets")),
        ]
        for (bytes, error) in cases {
            #expect(throws: error) { try SafeTensors.read(bytes) }
        }
        // Every cut of a good file is refused, never read past its end.
        for length in Swift.stride(from: 0, to: Self.fromPython.count, by: 7) {
            #expect(throws: WeightsError.self) { try SafeTensors.read(Array(Self.fromPython.prefix(length))) }
        }
    }

    @Test func repeatedKeysAreFoundWhateverTheirValues() {
        #expect(JSONKeys.firstRepeated(JSONKeys.keys(Array(#"{"a":{"b":1,"b":2},"c":[{"a":1}],"d\"a":0}"#.utf8))) == nil)
        #expect(JSONKeys.firstRepeated(JSONKeys.keys(Array(#"{"a":[1,{"x":2}], "a" : 3}"#.utf8))) == "a")
        #expect(JSONKeys.keys(Array(#"{"a":"{,}","b":{"c":1}}"#.utf8)).count == 2)
    }
}

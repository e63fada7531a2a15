import Foundation
@testable import Learn
import Testing

/// PyTorch state dicts: files torch itself wrote, what `write` makes (loaded by torch where it is installed),
/// and refusal of pickles that name anything but tensors, dicts and plain values.
struct TorchStateDictTests {
    typealias Entries = [(name: String, bytes: [UInt8])]

    static func read(_ entries: Entries) throws -> NamedTensors {
        let byName = Dictionary(entries.map { ($0.name, $0.bytes) }, uniquingKeysWith: { first, _ in first })
        return try TorchStateDict.read(entryNames: entries.map(\.name)) { byName[$0] ?? [] }
    }

    static func replacing(_ name: String, in entries: Entries, with bytes: [UInt8]) -> Entries {
        entries.map { $0.name == name ? (name, bytes) : $0 }
    }

    static let sample = {
        var tensors = NamedTensors()
        try! tensors.append(.init(name: "conv.weight", shape: [2, 1, 2, 2], values: (0..<8).map { Float($0) * 0.5 - 1 }))
        try! tensors.append(.init(name: "bn.num_batches_tracked", shape: [], values: [12]))
        try! tensors.append(.init(name: "empty", shape: [0, 3], values: []))
        try! tensors.append(.init(name: "schlüssel.ü", shape: [3], values: [.pi, -0.0, 1e-30]))
        return tensors
    }()

    @Test func writeThenReadRoundTrips() throws {
        let entries = TorchStateDict.write(Self.sample)
        #expect(entries.map(\.name) == ["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/data/2",
                                        "archive/data/3", "archive/version"])
        let read = try Self.read(entries)
        #expect(read == Self.sample)
        #expect(read.entries.map { $0.values.map(\.bitPattern) } == Self.sample.entries.map { $0.values.map(\.bitPattern) })
        #expect(try Self.read(TorchStateDict.write(Self.sample, archiveName: "weights")) == Self.sample)
    }

    @Test func readsWhatTorchSaved() throws {
        let tensors = try Self.read(StoredZip.entries(Self.torchFixture))
        let expected: [(String, [Int], [Float])] = [
            ("0.weight", [3, 2, 3, 3], (0..<54).map { Float($0) / 16 - 1.5 }),
            ("0.bias", [3], [0.25, -0.5, 0.75]),
            ("1.weight", [3], [1.5, 2, -1]),
            ("1.bias", [3], [0, 0, 0]),
            ("1.running_mean", [3], [0.5, -0.25, 1]),
            ("1.running_var", [3], [2, 0.5, 1.5]),
            ("1.num_batches_tracked", [], [7]),
            ("extra.matrix", [2, 3], [1.5, -2, 3.25, 0, -0.125, 100]),
            ("extra.half", [4], [0.5, -1.5, 65504, 0.0010004043579101562]),
            ("extra.transposed", [4, 3], [-1, 0, 1, -0.75, 0.25, 1.25, -0.5, 0.5, 1.5, -0.25, 0.75, 1.75]),
            ("extra.row", [4], [0, 0.25, 0.5, 0.75]),
            ("extra.bf16", [1, 2], [1, -3.5]),
            ("extra.flags", [3], [1, 0, 1]),
            ("extra.bytes", [3], [0, 7, 255]),
            ("extra.double", [2], [Float(1.0 / 3.0), -2.5]),
        ]
        #expect(tensors.entries.map(\.name) == expected.map(\.0))
        for (name, shape, values) in expected {
            #expect(tensors[name]?.shape == shape, "\(name)")
            #expect(tensors[name]?.values == values, "\(name)")
        }
    }

    @Test func readsTheModelOfACheckpointHoldingParameters() throws {
        let tensors = try Self.read(StoredZip.entries(Self.torchCheckpoint))
        #expect(tensors.entries == [.init(name: "weight", shape: [1, 2], values: [0.5, -2]), .init(name: "bias", shape: [1], values: [0.125])])
    }

    static let forbidden = ["os.system", "builtins.eval", "posix.system", "__main__.Evil"]

    static func globalPickle(_ global: String) -> [UInt8] {
        let (module, name) = (global.prefix { $0 != "." }, global.drop { $0 != "." }.dropFirst())
        // The arguments are never reached: the refusal comes at GLOBAL, before the string and REDUCE.
        return [0x80, 2, 0x63] + Array("\(module)\n\(name)\n".utf8) + StateDictPickle.string("echo hi") + [0x85, 0x52, 0x2e]
    }

    static func stackGlobalPickle(_ global: String) -> [UInt8] {
        let (module, name) = (Array(global.prefix { $0 != "." }.utf8), Array(global.drop { $0 != "." }.dropFirst().utf8))
        // 0xff after STACK_GLOBAL is no opcode: the refusal comes first.
        return [0x80, 4, 0x8c, UInt8(module.count)] + module + [0x94, 0x8c, UInt8(name.count)] + name + [0x94, 0x93, 0xff]
    }

    @Test(arguments: forbidden) func refusesForbiddenGlobals(global: String) throws {
        #expect(throws: WeightsError.forbiddenGlobal(global)) { try Unpickler.load(Self.globalPickle(global)) }
        #expect(throws: WeightsError.forbiddenGlobal(global)) { try Unpickler.load(Self.stackGlobalPickle(global)) }
        let entries = Self.replacing("archive/data.pkl", in: TorchStateDict.write(Self.sample), with: Self.globalPickle(global))
        #expect(throws: WeightsError.forbiddenGlobal(global)) { try Self.read(entries) }
    }

    @Test func refusesTheClassicProtocolZeroExploit() {
        #expect(throws: WeightsError.forbiddenGlobal("os.system")) { try Unpickler.load(Array("cos\nsystem\n(S'echo hi'\ntR.".utf8)) }
    }

    @Test func refusesAllowedGlobalsPutToOtherUses() {
        // torch.FloatStorage is allowed as a persistent id's type, not as something to call.
        let call = [0x80, 2] + StateDictPickle.global("torch", "FloatStorage") + [0x29, 0x52, 0x2e]
        #expect(throws: WeightsError.unsupported("a call of torch.FloatStorage at byte 23")) { try Unpickler.load(call) }
        let persistent = [0x80, 2] + StateDictPickle.string("file") + [0x51, 0x2e]
        #expect(throws: WeightsError.self) { try Unpickler.load(persistent) }
        #expect(throws: WeightsError.unsupported("pickle opcode 0x69 at byte 2")) { try Unpickler.load([0x80, 2, 0x69]) } // INST
    }

    @Test func refusesTruncatedPickles() throws {
        let pickle = StateDictPickle.write(Self.sample)
        for length in 0..<pickle.count {
            let error = #expect(throws: WeightsError.self) { try Unpickler.load(Array(pickle[..<length])) }
            guard case .malformed(let reason) = error, reason.hasPrefix("truncated pickle at byte ") else {
                Issue.record("\(length) bytes: \(String(describing: error))")
                continue
            }
        }
        #expect(throws: WeightsError.malformed("truncated pickle at byte 2")) { try Unpickler.load(Array(pickle[..<20])) }
    }

    @Test func refusesDataEntriesOfTheWrongSize() throws {
        let entries = TorchStateDict.write(Self.sample)
        let data = try #require(entries.first { $0.name == "archive/data/0" })
        let short = Self.replacing(data.name, in: entries, with: data.bytes.dropLast())
        #expect(throws: WeightsError.malformed("archive/data/0 holds 31 bytes where 8 of F32 take 32")) { try Self.read(short) }
        let long = Self.replacing(data.name, in: entries, with: data.bytes + [0])
        #expect(throws: WeightsError.self) { try Self.read(long) }
        let missing = entries.filter { $0.name != data.name }
        #expect(throws: WeightsError.malformed("\"conv.weight\" reads archive/data/0, which the archive lacks")) { try Self.read(missing) }
    }

    @Test func refusesOtherArchives() {
        let entries = TorchStateDict.write(Self.sample)
        #expect(throws: WeightsError.malformed("no <folder>/data.pkl: not a PyTorch zip file")) { try Self.read([]) }
        #expect(throws: WeightsError.malformed("2 data.pkl entries")) { try Self.read(entries + [("other/data.pkl", [])]) }
        let big = Self.replacing("archive/byteorder", in: entries, with: Array("big".utf8))
        #expect(throws: WeightsError.unsupported("byte order \"big\"")) { try Self.read(big) }
        let list = Self.replacing("archive/data.pkl", in: entries, with: [0x80, 2, 0x5d, 0x2e])
        #expect(throws: WeightsError.unsupported("the pickle holds a list, not a dict of tensors")) { try Self.read(list) }
    }

    @Test func gathersViewsWithinTheirStorage() throws {
        let storage = TorchStorage(dtype: .f32, key: "0", count: 6)
        let values: [Float] = [0, 1, 2, 3, 4, 5]
        func view(_ offset: Int, _ size: [Int], _ stride: [Int]) throws -> [Float] {
            try TorchStateDict.gather(TorchTensor(storage: storage, offset: offset, size: size, stride: stride), from: values, name: "v")
        }
        #expect(try view(0, [2, 3], [3, 1]) == values)
        #expect(try view(0, [3, 2], [1, 3]) == [0, 3, 1, 4, 2, 5])
        #expect(try view(1, [2, 2], [0, 2]) == [1, 3, 1, 3])
        #expect(try view(5, [], []) == [5])
        #expect(try view(9, [0], [1]) == [])
        #expect(throws: WeightsError.malformed("\"v\": offset 3, size [2, 2], stride [2, 1] read past a storage of 6")) { try view(3, [2, 2], [2, 1]) }
        #expect(throws: WeightsError.self) { try view(0, [1 << 40, 1 << 40], [1, 1]) }
        #expect(throws: WeightsError.self) { try view(0, [1 << 30], [0]) }
    }

    @Test func memoizedContainersSeeLaterAppends() throws {
        // EMPTY_LIST, BINPUT 0, BININT1 7, APPEND, BINGET 0, TUPLE2, STOP: both items are the one list, filled.
        guard case .tuple(let pair) = try Unpickler.load([0x80, 2, 0x5d, 0x71, 0, 0x4b, 7, 0x61, 0x68, 0, 0x86, 0x2e]) else {
            Issue.record("not a tuple")
            return
        }
        for item in pair.items {
            guard case .list(let list) = item, case .int(7) = list.items.first else {
                Issue.record("\(item)")
                continue
            }
        }
    }

    @Test func readsWideIntegersAndBoundsNesting() throws {
        for value in [1 << 40, -(1 << 40), -1, Int.max, Int.min] {
            let read = try Unpickler.load([0x80, 2] + StateDictPickle.int(value) + [0x2e])
            guard case .int(value) = read else {
                Issue.record("\(value) read as \(read)")
                continue
            }
        }
        // Python writes LONG1 as short as it can: three bytes of -2^23, two of 255.
        for (long1, value) in [([0x8a, 3, 0, 0, 0x80], -(1 << 23)), ([0x8a, 2, 0xff, 0], 255), ([0x8a, 0], 0)] as [([UInt8], Int)] {
            let read = try Unpickler.load([0x80, 2] + long1 + [0x2e])
            guard case .int(value) = read else {
                Issue.record("\(long1) read as \(read)")
                continue
            }
        }
        let deep: [UInt8] = [0x80, 2, 0x29] + [UInt8](repeating: 0x85, count: 200) + [0x2e]
        #expect(throws: WeightsError.malformed("containers nested over 100 deep")) { try Unpickler.load(deep) }
    }

    @Test(.enabled(if: TorchReference.isAvailable, "needs python3 with torch"))
    func torchLoadsWhatWriteWrites() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("torch-state-dict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("weights.pth")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(StoredZip.write(TorchStateDict.write(Self.sample))).write(to: zip)
        let script = """
            import collections, json, sys, torch
            state = torch.load(sys.stdin.read(), weights_only=True)
            assert type(state) is collections.OrderedDict, type(state)
            print(json.dumps([[name, list(t.shape), str(t.dtype), t.flatten().tolist()] for name, t in state.items()]))
            """
        let loaded = try JSONSerialization.jsonObject(with: TorchReference.python(script, stdin: Data(zip.path.utf8))) as? [[Any]]
        #expect(loaded?.map { $0[0] as? String } == Self.sample.entries.map(\.name))
        #expect(loaded?.map { $0[1] as? [Int] } == Self.sample.entries.map(\.shape))
        #expect(loaded?.allSatisfy { $0[2] as? String == "torch.float32" } == true)
        #expect(loaded?.map { ($0[3] as? [Double])?.map(Float.init) } == Self.sample.entries.map(\.values))
    }

    /// `torch.save` of a Conv2d(2, 3, 3) and BatchNorm2d(3)'s state dict (torch 2.13, values set by hand),
    /// plus a float32 matrix, float16, a transpose and a row of one storage, bfloat16, bool, uint8 and float64.
    static let torchFixture = [UInt8](Data(base64Encoded: """
        UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAQABIAZml4dHVyZS9kYXRhLnBrbEZCDgBaWlpaWlpaWlpaWlpaWoACY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEAKVJxAShYCAAAADAu
        d2VpZ2h0cQJjdG9yY2guX3V0aWxzCl9yZWJ1aWxkX3RlbnNvcl92MgpxAygoWAcAAABzdG9yYWdlcQRjdG9yY2gKRmxvYXRTdG9yYWdlCnEFWAEAAAAwcQZYAwAAAGNwdXEHSzZ0cQhR
        SwAoSwNLAksDSwN0cQkoSxJLCUsDSwF0cQqJaAApUnELdHEMUnENWAYAAAAwLmJpYXNxDmgDKChoBGgFWAEAAAAxcQ9oB0sDdHEQUUsASwOFcRFLAYVxEoloAClScRN0cRRScRVYCAAA
        ADEud2VpZ2h0cRZoAygoaARoBVgBAAAAMnEXaAdLA3RxGFFLAEsDhXEZSwGFcRqJaAApUnEbdHEcUnEdWAYAAAAxLmJpYXNxHmgDKChoBGgFWAEAAAAzcR9oB0sDdHEgUUsASwOFcSFL
        AYVxIoloAClScSN0cSRScSVYDgAAADEucnVubmluZ19tZWFucSZoAygoaARoBVgBAAAANHEnaAdLA3RxKFFLAEsDhXEpSwGFcSqJaAApUnErdHEsUnEtWA0AAAAxLnJ1bm5pbmdfdmFy
        cS5oAygoaARoBVgBAAAANXEvaAdLA3RxMFFLAEsDhXExSwGFcTKJaAApUnEzdHE0UnE1WBUAAAAxLm51bV9iYXRjaGVzX3RyYWNrZWRxNmgDKChoBGN0b3JjaApMb25nU3RvcmFnZQpx
        N1gBAAAANnE4aAdLAXRxOVFLACkpiWgAKVJxOnRxO1JxPFgMAAAAZXh0cmEubWF0cml4cT1oAygoaARoBVgBAAAAN3E+aAdLBnRxP1FLAEsCSwOGcUBLA0sBhnFBiWgAKVJxQnRxQ1Jx
        RFgKAAAAZXh0cmEuaGFsZnFFaAMoKGgEY3RvcmNoCkhhbGZTdG9yYWdlCnFGWAEAAAA4cUdoB0sEdHFIUUsASwSFcUlLAYVxSoloAClScUt0cUxScU1YEAAAAGV4dHJhLnRyYW5zcG9z
        ZWRxTmgDKChoBGgFWAEAAAA5cU9oB0sMdHFQUUsASwRLA4ZxUUsBSwSGcVKJaAApUnFTdHFUUnFVWAkAAABleHRyYS5yb3dxVmgDKChoBGgFaE9oB0sMdHFXUUsESwSFcVhLAYVxWYlo
        AClScVp0cVtScVxYCgAAAGV4dHJhLmJmMTZxXWgDKChoBGN0b3JjaApCRmxvYXQxNlN0b3JhZ2UKcV5YAgAAADEwcV9oB0sCdHFgUUsASwFLAoZxYUsCSwGGcWKJaAApUnFjdHFkUnFl
        WAsAAABleHRyYS5mbGFnc3FmaAMoKGgEY3RvcmNoCkJvb2xTdG9yYWdlCnFnWAIAAAAxMXFoaAdLA3RxaVFLAEsDhXFqSwGFcWuJaAApUnFsdHFtUnFuWAsAAABleHRyYS5ieXRlc3Fv
        aAMoKGgEY3RvcmNoCkJ5dGVTdG9yYWdlCnFwWAIAAAAxMnFxaAdLA3RxclFLAEsDhXFzSwGFcXSJaAApUnF1dHF2UnF3WAwAAABleHRyYS5kb3VibGVxeGgDKChoBGN0b3JjaApEb3Vi
        bGVTdG9yYWdlCnF5WAIAAAAxM3F6aAdLAnRxe1FLAEsChXF8SwGFcX2JaAApUnF+dHF/UnGAdX1xgVgJAAAAX21ldGFkYXRhcYJoAClScYMoWAAAAABxhH1xhVgHAAAAdmVyc2lvbnGG
        SwFzWAEAAAAwcYd9cYhohksBc1gBAAAAMXGJfXGKaIZLAnN1c2IuUEsHCHHQmVs8BQAAPAUAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAAFwA/AGZpeHR1cmUvLmZvcm1hdF92ZXJz
        aW9uRkI7AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMVBLBwi379yDAQAAAAEAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAA
        AAAAABoANwBmaXh0dXJlLy5zdG9yYWdlX2FsaWdubWVudEZCMwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo2NFBLBwg/d3HpAgAAAAIA
        AABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAABEAPwBmaXh0dXJlL2J5dGVvcmRlckZCOwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWmxpdHRsZVBLBwiFPeMZBgAAAAYAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4APgBmaXh0dXJlL2RhdGEvMEZCOgBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAADAvwAAuL8AALC/AACovwAAoL8AAJi/AACQvwAAiL8AAIC/AABwvwAAYL8AAFC/AABAvwAAML8AACC/AAAQvwAAAL8AAOC+AADA
        vgAAoL4AAIC+AABAvgAAAL4AAIC9AAAAAAAAgD0AAAA+AABAPgAAgD4AAKA+AADAPgAA4D4AAAA/AAAQPwAAID8AADA/AABAPwAAUD8AAGA/AABwPwAAgD8AAIg/AACQPwAAmD8AAKA/
        AACoPwAAsD8AALg/AADAPwAAyD8AANA/AADYPwAA4D8AAOg/UEsHCLqM/FvYAAAA2AAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgAsAGZpeHR1cmUvZGF0YS8xRkIoAFpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloAAIA+AAAAvwAAQD9QSwcI0ymrrwwAAAAMAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOADgAZml4dHVyZS9kYXRh
        LzJGQjQAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgAAwD8AAABAAACAv1BLBwjSqUzKDAAAAAwAAABQSwMEAAAICAAAAAAAAAAAAAAA
        AAAAAAAAAA4AOABmaXh0dXJlL2RhdGEvM0ZCNABaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAAAAAAAAAAAAAAAAUEsHCG/G1XsMAAAA
        DAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgA4AGZpeHR1cmUvZGF0YS80RkI0AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloA
        AAA/AACAvgAAgD9QSwcIt97/tgwAAAAMAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOADgAZml4dHVyZS9kYXRhLzVGQjQAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWgAAAEAAAAA/AADAP1BLBwhMEKr7DAAAAAwAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA4AOABmaXh0dXJlL2RhdGEvNkZCNABaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaBwAAAAAAAABQSwcIcNbnbwgAAAAIAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOADwAZml4dHVy
        ZS9kYXRhLzdGQjgAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloAAMA/AAAAwAAAUEAAAAAAAAAAvgAAyEJQSwcIly8R/xgAAAAY
        AAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAAOACwAZml4dHVyZS9kYXRhLzhGQigAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgA4AL7/exkUUEsHCAx+
        IlYIAAAACAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADgA8AGZpeHR1cmUvZGF0YS85RkI4AFpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaAACAvwAAQL8AAAC/AACAvgAAAAAAAIA+AAAAPwAAQD8AAIA/AACgPwAAwD8AAOA/UEsHCNpLYPgwAAAAMAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADwATAGZp
        eHR1cmUvZGF0YS8xMEZCDwBaWlpaWlpaWlpaWlpaWlqAP2DAUEsHCJ1isx0EAAAABAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADwA/AGZpeHR1cmUvZGF0YS8xMUZCOwBaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWgEAAVBLBwizg4SJAwAAAAMAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAA8AQABm
        aXh0dXJlL2RhdGEvMTJGQjwAWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaAAf/UEsHCFigAp0DAAAAAwAAAFBLAwQAAAgI
        AAAAAAAAAAAAAAAAAAAAAAAADwBAAGZpeHR1cmUvZGF0YS8xM0ZCPABaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpVVVVV
        VVXVPwAAAAAAAATAUEsHCMw1IU4QAAAAEAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADwAzAGZpeHR1cmUvdmVyc2lvbkZCLwBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWjMKUEsHCNGeZ1UCAAAAAgAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAAHgAyAGZpeHR1cmUvLmRhdGEvc2VyaWFsaXphdGlvbl9pZEZCLgBaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMTUyMDEwNTc5MjY5MzA2MzQ1OTgxMzc3ODUzMzU5NDY1MTQ3NDc4NFBLBwhC5zZSKAAAACgAAABQSwECAAAA
        AAgIAAAAAAAAcdCZWzwFAAA8BQAAEAAAAAAAAAAAAAAAAAAAAAAAZml4dHVyZS9kYXRhLnBrbFBLAQIAAAAACAgAAAAAAAC379yDAQAAAAEAAAAXAAAAAAAAAAAAAAAAAIwFAABmaXh0
        dXJlLy5mb3JtYXRfdmVyc2lvblBLAQIAAAAACAgAAAAAAAA/d3HpAgAAAAIAAAAaAAAAAAAAAAAAAAAAABEGAABmaXh0dXJlLy5zdG9yYWdlX2FsaWdubWVudFBLAQIAAAAACAgAAAAA
        AACFPeMZBgAAAAYAAAARAAAAAAAAAAAAAAAAAJIGAABmaXh0dXJlL2J5dGVvcmRlclBLAQIAAAAACAgAAAAAAAC6jPxb2AAAANgAAAAOAAAAAAAAAAAAAAAAABYHAABmaXh0dXJlL2Rh
        dGEvMFBLAQIAAAAACAgAAAAAAADTKauvDAAAAAwAAAAOAAAAAAAAAAAAAAAAAGgIAABmaXh0dXJlL2RhdGEvMVBLAQIAAAAACAgAAAAAAADSqUzKDAAAAAwAAAAOAAAAAAAAAAAAAAAA
        ANwIAABmaXh0dXJlL2RhdGEvMlBLAQIAAAAACAgAAAAAAABvxtV7DAAAAAwAAAAOAAAAAAAAAAAAAAAAAFwJAABmaXh0dXJlL2RhdGEvM1BLAQIAAAAACAgAAAAAAAC33v+2DAAAAAwA
        AAAOAAAAAAAAAAAAAAAAANwJAABmaXh0dXJlL2RhdGEvNFBLAQIAAAAACAgAAAAAAABMEKr7DAAAAAwAAAAOAAAAAAAAAAAAAAAAAFwKAABmaXh0dXJlL2RhdGEvNVBLAQIAAAAACAgA
        AAAAAABw1udvCAAAAAgAAAAOAAAAAAAAAAAAAAAAANwKAABmaXh0dXJlL2RhdGEvNlBLAQIAAAAACAgAAAAAAACXLxH/GAAAABgAAAAOAAAAAAAAAAAAAAAAAFgLAABmaXh0dXJlL2Rh
        dGEvN1BLAQIAAAAACAgAAAAAAAAMfiJWCAAAAAgAAAAOAAAAAAAAAAAAAAAAAOgLAABmaXh0dXJlL2RhdGEvOFBLAQIAAAAACAgAAAAAAADaS2D4MAAAADAAAAAOAAAAAAAAAAAAAAAA
        AFgMAABmaXh0dXJlL2RhdGEvOVBLAQIAAAAACAgAAAAAAACdYrMdBAAAAAQAAAAPAAAAAAAAAAAAAAAAAAANAABmaXh0dXJlL2RhdGEvMTBQSwECAAAAAAgIAAAAAAAAs4OEiQMAAAAD
        AAAADwAAAAAAAAAAAAAAAABUDQAAZml4dHVyZS9kYXRhLzExUEsBAgAAAAAICAAAAAAAAFigAp0DAAAAAwAAAA8AAAAAAAAAAAAAAAAA0w0AAGZpeHR1cmUvZGF0YS8xMlBLAQIAAAAA
        CAgAAAAAAADMNSFOEAAAABAAAAAPAAAAAAAAAAAAAAAAAFMOAABmaXh0dXJlL2RhdGEvMTNQSwECAAAAAAgIAAAAAAAA0Z5nVQIAAAACAAAADwAAAAAAAAAAAAAAAADgDgAAZml4dHVy
        ZS92ZXJzaW9uUEsBAgAAAAAICAAAAAAAAELnNlIoAAAAKAAAAB4AAAAAAAAAAAAAAAAAUg8AAGZpeHR1cmUvLmRhdGEvc2VyaWFsaXphdGlvbl9pZFBLBgYsAAAAAAAAAB4DLQAAAAAA
        AAAAABQAAAAAAAAAFAAAAAAAAADfBAAAAAAAAPgPAAAAAAAAUEsGBwAAAADXFAAAAAAAAAEAAABQSwUGAAAAABQAFADfBAAA+A8AAAAA
        """, options: .ignoreUnknownCharacters)!)

    /// `torch.save({'epoch': 3, 'lr': 0.01, 'model': linear.state_dict(keep_vars=True)})`: Parameters, in a dict.
    static let torchCheckpoint = [UInt8](Data(base64Encoded: """
        UEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAANABUAY2twdC9kYXRhLnBrbEZCEQBaWlpaWlpaWlpaWlpaWlpaWoACfXEAKFgFAAAAZXBvY2hxAUsDWAIAAABscnECRz+EeuFHrhR7WAUA
        AABtb2RlbHEDY2NvbGxlY3Rpb25zCk9yZGVyZWREaWN0CnEEKVJxBShYBgAAAHdlaWdodHEGY3RvcmNoLl91dGlscwpfcmVidWlsZF9wYXJhbWV0ZXIKcQdjdG9yY2guX3V0aWxzCl9y
        ZWJ1aWxkX3RlbnNvcl92MgpxCCgoWAcAAABzdG9yYWdlcQljdG9yY2gKRmxvYXRTdG9yYWdlCnEKWAEAAAAwcQtYAwAAAGNwdXEMSwJ0cQ1RSwBLAUsChnEOSwJLAYZxD4loBClScRB0
        cRFScRKIaAQpUnETh3EUUnEVWAQAAABiaWFzcRZoB2gIKChoCWgKWAEAAAAxcRdoDEsBdHEYUUsASwGFcRlLAYVxGoloBClScRt0cRxScR2IaAQpUnEeh3EfUnEgdX1xIVgJAAAAX21l
        dGFkYXRhcSJoBClScSNYAAAAAHEkfXElWAcAAAB2ZXJzaW9ucSZLAXNzc2J1LlBLBwgSLkSnkgEAAJIBAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAABQALABja3B0Ly5mb3JtYXRf
        dmVyc2lvbkZCKABaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMVBLBwi379yDAQAAAAEAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAABcAOgBja3B0Ly5z
        dG9yYWdlX2FsaWdubWVudEZCNgBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo2NFBLBwg/d3HpAgAAAAIAAABQSwMEAAAICAAAAAAA
        AAAAAAAAAAAAAAAAAA4AQgBja3B0L2J5dGVvcmRlckZCPgBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWmxpdHRsZVBL
        BwiFPeMZBgAAAAYAAABQSwMEAAAICAAAAAAAAAAAAAAAAAAAAAAAAAsAQQBja3B0L2RhdGEvMEZCPQBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaAAAAPwAAAMBQSwcIjjI33QgAAAAIAAAAUEsDBAAACAgAAAAAAAAAAAAAAAAAAAAAAAALAD8AY2twdC9kYXRhLzFGQjsAWlpaWlpaWlpaWlpaWlpaWlpaWlpa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWloAAAA+UEsHCLfCJeAEAAAABAAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAADABCAGNrcHQvdmVyc2lvbkZCPgBa
        WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWjMKUEsHCNGeZ1UCAAAAAgAAAFBLAwQAAAgIAAAAAAAAAAAAAAAAAAAAAAAA
        GwA1AGNrcHQvLmRhdGEvc2VyaWFsaXphdGlvbl9pZEZCMQBaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaMDU2MTEwODUyMzYxOTY3MDUyOTQw
        Mjg3NTE1NDYyMDg3MzM2Nzk5MlBLBwiX2JLiKAAAACgAAABQSwECAAAAAAgIAAAAAAAAEi5Ep5IBAACSAQAADQAAAAAAAAAAAAAAAAAAAAAAY2twdC9kYXRhLnBrbFBLAQIAAAAACAgA
        AAAAAAC379yDAQAAAAEAAAAUAAAAAAAAAAAAAAAAAOIBAABja3B0Ly5mb3JtYXRfdmVyc2lvblBLAQIAAAAACAgAAAAAAAA/d3HpAgAAAAIAAAAXAAAAAAAAAAAAAAAAAFECAABja3B0
        Ly5zdG9yYWdlX2FsaWdubWVudFBLAQIAAAAACAgAAAAAAACFPeMZBgAAAAYAAAAOAAAAAAAAAAAAAAAAANICAABja3B0L2J5dGVvcmRlclBLAQIAAAAACAgAAAAAAACOMjfdCAAAAAgA
        AAALAAAAAAAAAAAAAAAAAFYDAABja3B0L2RhdGEvMFBLAQIAAAAACAgAAAAAAAC3wiXgBAAAAAQAAAALAAAAAAAAAAAAAAAAANgDAABja3B0L2RhdGEvMVBLAQIAAAAACAgAAAAAAADR
        nmdVAgAAAAIAAAAMAAAAAAAAAAAAAAAAAFQEAABja3B0L3ZlcnNpb25QSwECAAAAAAgIAAAAAAAAl9iS4igAAAAoAAAAGwAAAAAAAAAAAAAAAADSBAAAY2twdC8uZGF0YS9zZXJpYWxp
        emF0aW9uX2lkUEsGBiwAAAAAAAAAHgMtAAAAAAAAAAAACAAAAAAAAAAIAAAAAAAAAPMBAAAAAAAAeAUAAAAAAABQSwYHAAAAAGsHAAAAAAAAAQAAAFBLBQYAAAAACAAIAPMBAAB4BQAA
        AAA=
        """, options: .ignoreUnknownCharacters)!)
}

/// Zips with every entry stored, as torch writes them: just enough to hand `read` a torch file's entries
/// and torch a file of `write`'s. Torch's local headers leave sizes to a data descriptor, so reading goes
/// through the central directory.
enum StoredZip {
    static func entries(_ zip: [UInt8]) -> [(name: String, bytes: [UInt8])] {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        let end = zip.count - 22 // torch writes no comment
        precondition(u32(end) == 0x0605_4b50, "no end of central directory")
        var at = u32(end + 16)
        return (0..<u16(end + 10)).map { _ in
            let (size, nameLength, local) = (u32(at + 20), u16(at + 28), u32(at + 42))
            let name = String(decoding: zip[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            at += 46 + nameLength + u16(at + 30) + u16(at + 32)
            let data = local + 30 + u16(local + 26) + u16(local + 28)
            return (name, Array(zip[data..<(data + size)]))
        }
    }

    static func write(_ entries: [(name: String, bytes: [UInt8])]) -> [UInt8] {
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        var (zip, directory) = ([UInt8](), [UInt8]())
        for (name, bytes) in entries {
            let name = Array(name.utf8)
            // Version 2.0, no flags, stored, no date; CRC-32, both sizes, the name's length, no extra field.
            let fields = le(20, 2) + le(0, 8) + le(Int(crc32(bytes)), 4) + le(bytes.count, 4) + le(bytes.count, 4) + le(name.count, 2) + le(0, 2)
            directory += le(0x0201_4b50, 4) + le(20, 2) + fields + le(0, 10) + le(zip.count, 4) + name
            zip += le(0x0403_4b50, 4) + fields + name + bytes
        }
        return zip + directory + le(0x0605_4b50, 4) + le(0, 4) + le(entries.count, 2) + le(entries.count, 2)
            + le(directory.count, 4) + le(zip.count, 4) + le(0, 2)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

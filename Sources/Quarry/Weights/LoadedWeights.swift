import Crypto
import Foundation
import Imaging
import Learn
import Storage

/// A weights file read whole: its tensors, and what the listing says of it. Reading it all before
/// anything is kept is what makes a refused file leave nothing behind.
struct LoadedWeights {
    let format: WeightsFormat
    let tensors: NamedTensors
    /// Of the file's bytes, as hex.
    let sha256: String
    let byteCount: Int

    /// The zoo backbone the tensors hold whole, asked only where it is listed.
    var fit: WeightsFit? {
        PretrainedWeights.identify(tensors).map { WeightsFit(backbone: $0.backbone, scheme: $0.scheme) }
    }

    /// Reads the file at `path`, refusing it before reading a byte where it is larger than `maxBytes`.
    /// A file that holds no tensor is refused too: it can start nothing.
    static func read(path: String, maxBytes: Int) throws -> LoadedWeights {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        guard size <= maxBytes else { throw WeightsFileError.tooLarge(limit: maxBytes) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        // The file may have grown since it was measured (a folder's, being copied in).
        guard bytes.count <= maxBytes else { throw WeightsFileError.tooLarge(limit: maxBytes) }
        guard !bytes.isEmpty else { throw WeightsFileError.unreadable("the file is empty") }
        let format = try WeightsFormat.detect(bytes[...])
        let tensors: NamedTensors
        do {
            tensors = switch format {
            case .safetensors: try SafeTensors.read(bytes)
            case .pytorch: try torchZip(path: path, maxBytes: maxBytes)
            case .onnx: try ONNXInitializers.read(bytes)
            }
        } catch let error as WeightsError {
            let stranger = format == .onnx && !WeightsFormat.looksLikeONNX(bytes[...])
            throw WeightsFileError.unreadable(stranger ? "not a safetensors file, a PyTorch zip or an ONNX model (read as ONNX: \(error))" : error.description)
        }
        guard tensors.count > 0 else { throw WeightsFileError.unreadable("the \(format.rawValue) file holds no tensors") }
        return LoadedWeights(format: format, tensors: tensors, sha256: Hex.encode(SHA256.hash(bytes)), byteCount: bytes.count)
    }

    /// Reads an upload back from its blob. A small blob is a row, not a file, and a zip is read from a
    /// file: such a blob is written to a temp file for the moment it is read.
    static func read(blob: BlobID, in blobs: any BlobStore, maxBytes: Int) throws -> LoadedWeights {
        switch try blobs.contents(of: blob) {
        case .file(let path):
            return try read(path: path, maxBytes: maxBytes)
        case .bytes(let bytes):
            let path = "\(blobs.temporaryDirectory)/weights-\(SecureRandom.hex(bytes: 8))"
            defer { unlink(path) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return try read(path: path, maxBytes: maxBytes)
        }
    }

    /// The state dict of a `torch.save` zip. Torch stores its entries uncompressed, so a file within
    /// `maxBytes` holds at most that much once inflated; an archive that inflates past it is refused.
    private static func torchZip(path: String, maxBytes: Int) throws -> NamedTensors {
        var limits = ZipLimits()
        (limits.maxTotalUncompressedBytes, limits.maxEntryUncompressedBytes) = (Int64(maxBytes), Int64(maxBytes))
        do {
            let zip = try ZipReader(path: path, limits: limits)
            let positions = Dictionary(zip.entries.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
            return try TorchStateDict.read(entryNames: zip.entries.map(\.name)) { name in
                guard let index = positions[name] else { throw WeightsError.malformed("no entry \(name)") }
                return try zip.data(of: index)
            }
        } catch let error as ZipReadError {
            throw WeightsFileError.unreadable("the PyTorch zip was refused: \(error)")
        }
    }
}

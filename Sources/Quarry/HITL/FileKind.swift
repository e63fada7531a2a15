import Foundation

/// The kinds of file HITL accepts, told by the URL's extension and confirmed by the bytes, so a
/// file named `.pdf` that is really something else is refused.
public enum FileKind: String, Sendable {
    case pdf
    case docx
    case png
    case jpeg

    public var contentType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    public static let instructionKinds: [FileKind] = [.pdf, .docx, .png, .jpeg]
    public static let jobFileKinds: [FileKind] = [.pdf, .png, .jpeg]

    /// The kind the URL's path names by its extension, if it is one of `allowed`.
    static func expected(from url: String, allowed: [FileKind]) -> FileKind? {
        guard let path = URLComponents(string: url)?.path else { return nil }
        let ext = (path as NSString).pathExtension.lowercased()
        let kind: FileKind? = switch ext {
        case "pdf": .pdf
        case "docx": .docx
        case "png": .png
        case "jpg", "jpeg": .jpeg
        default: nil
        }
        return kind.flatMap { allowed.contains($0) ? $0 : nil }
    }

    /// Whether the file's first bytes are this kind's signature (a .docx is a ZIP container).
    func matches(prefix: [UInt8]) -> Bool {
        let signature: [UInt8] = switch self {
        case .pdf: Array("%PDF-".utf8)
        case .docx: [0x50, 0x4B, 0x03, 0x04]
        case .png: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        case .jpeg: [0xFF, 0xD8, 0xFF]
        }
        return prefix.starts(with: signature)
    }

    static func extensionsText(_ kinds: [FileKind]) -> String {
        kinds.map { $0 == .jpeg ? "jpg, jpeg" : $0.rawValue }.joined(separator: ", ")
    }
}

public enum HITLError: Error, Equatable, Sendable {
    case badFile(url: String, reason: String)
    case projectNotActive(id: String, status: ProjectStatus)
    case jobNotFound(String)
    case cannotCancel(job: String, status: String)
    case invalid(field: String, reason: String)
}

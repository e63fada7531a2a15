import Foundation
import HTTP
import Quarry

/// `/api/models/weights`: weights files experiments start from, an account's uploads and the server's
/// folder's files (docs/studio.md, "Weights").
struct StudioWeights: Sendable {
    let services: Services
    /// The form's file part may be as large as a weights file (`QUARRY_MAX_WEIGHTS_BYTES`).
    let uploads: UploadContext

    init(services: Services, uploads: UploadContext) {
        self.services = services
        self.uploads = UploadContext(limits: uploads.limits, spoolDirectory: uploads.spoolDirectory,
                                     maxUploadBytes: services.settings.maxWeightsBytes)
    }

    /// The route's body limit: the file, and room for the form around it.
    var maxBodyBytes: Int { uploads.maxUploadBytes + (1 << 20) }

    /// `POST /api/models/weights`: the file as the multipart part `file`, its name in the field `name`
    /// or, without one, the part's file name less its extension, taken as it is (a name that breaks
    /// the rules is refused, never changed). 201 with the weights' document.
    func upload(_ request: Request, _ account: Account) throws -> Response {
        let form = try UploadForm(request, context: uploads, fileFields: ["file"])
        guard let file = form.files.first else { throw APIError.invalid("file", "is required: send the weights file in a part named 'file'") }
        let given = form.fields["name"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let name = given.isEmpty ? Self.name(fromFileName: file.fileName) : given
        let weights = switch file.source {
        case .spooled(let path): try services.weights.upload(accountID: account.id, name: name, file: path)
        case .bytes(let bytes): try services.weights.upload(accountID: account.id, name: name, bytes: bytes)
        }
        return Studio.ok(WeightsDocument(weights), status: .created)
    }

    /// `GET /api/models/weights`: `{"weights": [...]}`, by name.
    func list(_ request: Request, _ account: Account) throws -> Response {
        struct Listing: Encodable {
            let weights: [WeightsDocument]
        }
        return Studio.ok(Listing(weights: try services.weights.list(accountID: account.id).map(WeightsDocument.init)))
    }

    /// `DELETE /api/models/weights/{name}`: `{name, deleted: true}`; the file goes with the next blob collection.
    func delete(_ request: Request, _ account: Account) throws -> Response {
        let name = request.parameter("name") ?? ""
        try services.weights.delete(accountID: account.id, name: name)
        services.collectBlobsSoon()
        return Studio.deleted(name, key: "name")
    }

    /// `resnet18.pth` → `resnet18`; a browser may send a path, of which the last component counts.
    static func name(fromFileName fileName: String) -> String {
        let base = fileName.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
        return String(base[..<dot])
    }
}

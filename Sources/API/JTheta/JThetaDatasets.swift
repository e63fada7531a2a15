import HTTP
import Quarry

/// Datasets made from uploaded images. Every file is checked from its bytes before anything is
/// stored, so one bad file fails the request with nothing of it kept.
struct JThetaDatasets: Sendable {
    let services: Services
    let uploads: UploadContext

    private static let imageFields: Set<String> = ["images", "images[]", "image"]

    private struct ImageBody: Encodable {
        let id: Int
        let file_name: String
        let width: Int
        let height: Int
        let format: String
        let size: Int
    }

    func create(_ request: Request, _ account: Account) throws -> Response {
        struct Created: Encodable {
            /// The dataset's id again, under the name the SDK's README reads (`dataset["id"]`).
            let id: Int
            let dataset_id: Int
            let dataset_name: String
            let project_name: String
            let license: String
            let image_count: Int
            let images: [ImageBody]
        }
        let form = try UploadForm(request, context: uploads, fileFields: Self.imageFields)
        let projectName = try form.required("project_name")
        let (dataset, images) = try services.datasets.create(
            accountID: account.id, projectName: projectName, name: try form.required("dataset_name"),
            license: form.fields["license"] ?? "", files: form.files)
        return JSON.response(Created(
            id: dataset.id, dataset_id: dataset.id, dataset_name: dataset.name, project_name: projectName, license: dataset.license,
            image_count: dataset.imageCount,
            images: images.map { ImageBody(id: $0.id, file_name: $0.fileName, width: $0.width, height: $0.height,
                                           format: $0.format.rawValue, size: $0.size) }), status: .created)
    }

    func upload(_ request: Request, _ account: Account) throws -> Response {
        struct Uploaded: Encodable {
            let dataset_id: Int
            let project_name: String
            let uploaded: Int
            let image_count: Int
        }
        let form = try UploadForm(request, context: uploads, fileFields: Self.imageFields)
        let idText = try form.required("dataset_id")
        guard let datasetID = Int(idText) else { throw APIError.badRequest("dataset_id must be a number, not '\(idText.prefix(40))'") }
        let projectName = try form.required("project_name")
        let (dataset, added) = try services.datasets.addImages(accountID: account.id, projectName: projectName,
                                                               datasetID: datasetID, files: form.files)
        return JSON.response(Uploaded(dataset_id: dataset.id, project_name: projectName, uploaded: added,
                                      image_count: dataset.imageCount), status: .created)
    }
}

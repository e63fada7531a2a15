import HTTP
import Quarry

/// `GET /api/training/models`: the zoo, each model with the project task it trains for, its parameter
/// count (at width 1, for `parameter_classes` classes) and the image size an experiment naming it
/// takes by default. A `task` query keeps one task's models.
struct StudioModels: Sendable {
    private struct ModelDocument: Encodable {
        let name: String
        let task: String
        let parameters: Int
        let parameter_classes: Int
        let default_image_size: Int
    }

    private struct Listing: Encodable {
        let models: [ModelDocument]
    }

    func list(_ request: Request, _ account: Account) throws -> Response {
        let task: ProjectTask? = try request.query["task"].map { raw throws(APIError) in try JSON.choice(raw, "task", or: .classification) }
        let models = ExperimentConfig.Model.allCases.filter { task == nil || $0.task == task }
        return Studio.ok(Listing(models: models.map {
            ModelDocument(name: $0.rawValue, task: $0.task.rawValue, parameters: $0.parameterCount,
                          parameter_classes: ExperimentConfig.Model.countedClasses, default_image_size: $0.defaultImageSize)
        }))
    }
}

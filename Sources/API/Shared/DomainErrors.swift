import HTTP
import Quarry

/// Domain errors as API errors, once for every surface; each adapter then shapes them.
enum DomainErrors {
    static func map(_ error: any Error) -> APIError? {
        switch error {
        case let error as AccountError: account(error)
        case let error as ProjectError: project(error)
        case let error as DatasetError: dataset(error)
        case let error as WorkerError: worker(error)
        case let error as LabelingError: labeling(error)
        case let error as HITLError: hitl(error)
        case let error as SplitError: split(error)
        case let error as ImportError: importing(error)
        case let error as ExperimentError: experiment(error)
        case let error as RunError: run(error)
        case let error as EvaluationError: evaluation(error)
        case let error as TrainedModelError: trainedModel(error)
        case let error as ModelExportError: modelExport(error)
        case let error as WeightsFileError: weights(error)
        case let error as GPUUnavailable:
            // The field is `device` wherever a device is named: experiments, runs, evaluations, the pre-labeler.
            .invalid("device", error.reason, code: "GPU_NOT_AVAILABLE", status: .unprocessableContent)
        case let error as MultipartError: APIError(error.status, error.reason)
        default: nil
        }
    }

    private static func account(_ error: AccountError) -> APIError {
        switch error {
        case .invalidName(let name): .badRequest("invalid account name '\(name.prefix(100))': 1 to 100 characters, no control characters")
        case .nameTaken(let name): .conflict("an account named '\(name)' already exists")
        case .notFound(let id): .notFound("no account '\(id.prefix(100))'")
        }
    }

    private static func project(_ error: ProjectError) -> APIError {
        switch error {
        case .notFound(let name): .notFound("project '\(name.prefix(200))' not found")
        case .nameTaken(let name): .conflict("a project named '\(name)' already exists")
        case .invalid(let field, let reason): .invalid(field, reason)
        case .classTypeConflict(let name, let existing, let requested):
            .conflict("label '\(name)' already exists as \(existing.rawValue); it cannot also be \(requested.rawValue)")
        }
    }

    private static func dataset(_ error: DatasetError) -> APIError {
        switch error {
        case .notFound(let id): .notFound("dataset \(id) not found")
        case .imageNotFound(let name): .notFound("image '\(name.prefix(300))' not found")
        case .ambiguousImage(let name, let candidates):
            .conflict("several images are named '\(name.prefix(300))'; ask for one of: \(candidates.joined(separator: ", "))")
        case .nameTaken(let name): .conflict("a dataset named '\(name)' already exists in this project")
        case .noImages: .badRequest("no images were uploaded: send one or more files in the 'images' field")
        case .tooManyImages(let limit): APIError(.contentTooLarge, "more than \(limit) images in one request")
        case .invalidImage(let fileName, let reason):
            .badRequest("file '\(fileName)' is not a valid PNG or JPEG image (\(reason)); nothing from this request was stored")
        }
    }

    private static func worker(_ error: WorkerError) -> APIError {
        switch error {
        case .invalidEmail(let email): .badRequest("'\(email.prefix(254))' is not an email address")
        case .notFound(let email): .notFound("no worker '\(email.prefix(254))'")
        case .ambiguous(let email, let count): .conflict("\(count) accounts have a worker '\(email.prefix(254))'; name the account")
        }
    }

    private static func labeling(_ error: LabelingError) -> APIError {
        switch error {
        case .taskNotFound(let id): .notFound("task '\(id.prefix(100))' not found")
        case .transitionNotAllowed(let task, let status, let action): .conflict("cannot \(action) task \(task): it is \(status.rawValue)")
        case .notYourTurn(let task, let role): APIError(.forbidden, "only the \(role) of task \(task) can do that")
        case .invalidAnnotation(let reason): APIError(.unprocessableContent, reason)
        }
    }
}

extension DomainErrors {
    static func hitl(_ error: HITLError) -> APIError {
        switch error {
        case .badFile(let url, let reason): .badRequest("cannot use '\(url.prefix(500))': \(reason)")
        case .projectNotActive(let id, let status):
            .conflict("project \(id) is \(status.rawValue); it accepts jobs only once an administrator activates it")
        case .jobNotFound(let id): .notFound("job '\(id.prefix(100))' not found")
        case .cannotCancel(let job, let status): .conflict("job \(job) is \(status); only new or progress jobs can be canceled")
        case .invalid(let field, let reason): .invalid(field, reason)
        }
    }
}

extension DomainErrors {
    static func split(_ error: SplitError) -> APIError {
        switch error {
        case .invalid(let field, let reason): .invalid(field, reason)
        case .notFound(let index): .notFound("split \(index) not found", code: "SPLIT_NOT_FOUND")
        case .noImages: APIError(.unprocessableContent, code: "DATASET_NOT_IMPORTED", "the project has no images to split; import a dataset first")
        }
    }
}

extension DomainErrors {
    static func importing(_ error: ImportError) -> APIError {
        switch error {
        case .notFound(let id): .notFound("import '\(id.prefix(100))' not found")
        case .localImportsDisabled: APIError(.forbidden, "local imports are off; set QUARRY_IMPORT_ROOT to the folder they may read")
        case .outsideImportRoot(let path): APIError(.forbidden, "'\(path.prefix(300))' is outside the import root")
        case .notAFolder(let path): .notFound("'\(path.prefix(300))' is not a folder under the import root")
        case .invalidArchive(let reason): .badRequest("the ZIP archive was refused: \(reason)")
        case .formatMismatch: .badRequest(error.description)
        }
    }
}

extension DomainErrors {
    static func experiment(_ error: ExperimentError) -> APIError {
        switch error {
        case .invalid(let field, let reason): .invalid(field, reason)
        case .notFound(let id): .notFound("experiment '\(id.prefix(100))' not found", code: "EXPERIMENT_NOT_FOUND")
        case .nameTaken(let name): .conflict("an experiment named '\(name.prefix(200))' already exists in this project")
        }
    }
}

extension DomainErrors {
    static func run(_ error: RunError) -> APIError {
        switch error {
        case .notFound(let id): .notFound("run '\(id.prefix(100))' not found", code: "RUN_NOT_FOUND")
        case .invalid(let field, let reason): .invalid(field, reason)
        case .notEnoughClasses(let subset): .badRequest("the \(subset) subset needs labeled images of at least two classes")
        case .noBoxes(let subset, let split):
            APIError(.unprocessableContent, code: "DATASET_NOT_IMPORTED",
                     "the \(subset) subset of split \(split) has no boxes: import a dataset with boxes (COCO, YOLO or VOC) or approve labeled tasks")
        case .noPolygons(let subset, let split):
            APIError(.unprocessableContent, code: "DATASET_NOT_IMPORTED",
                     "the \(subset) subset of split \(split) has no polygons: import a COCO dataset with segmentations or approve polygon labels")
        case .notResumable(let id, let status): .conflict("run \(id) is \(status.rawValue)")
        case .stillActive(let id): .conflict("run \(id) is still going; stop it first")
        }
    }

    static func evaluation(_ error: EvaluationError) -> APIError {
        switch error {
        case .invalid(let field, let reason): .invalid(field, reason)
        case .notFound(let what): .notFound("\(what.prefix(120)) not found")
        case .notCompleted(let id, let status): .conflict("evaluation \(id) is \(status.rawValue); its results come when it completes")
        case .stillActive(let id): .conflict("evaluation \(id) is still going")
        }
    }

    static func trainedModel(_ error: TrainedModelError) -> APIError {
        switch error {
        case .runNotFound(let id): .notFound("run '\(id.prefix(100))' not found", code: "RUN_NOT_FOUND")
        case .wrongExperiment(let run, let experiment): .invalid("run_id", "\(run) belongs to experiment \(experiment)")
        case .stillTraining(let run, let status): .conflict("run \(run) is still \(status.rawValue); wait for it to finish")
        case .checkpointNotFound(let run, let checkpoint):
            .notFound("run \(run) has no \(checkpoint.rawValue) checkpoint", code: "CHECKPOINT_NOT_FOUND")
        }
    }

    static func modelExport(_ error: ModelExportError) -> APIError {
        switch error {
        case .invalid(let field, let reason): .invalid(field, reason)
        case .unavailable(let format, let reason):
            .invalid("format", "\(format) is not available: \(reason)", code: "EXPORT_FORMAT_UNAVAILABLE", status: .unprocessableContent)
        case .notFound(let what): .notFound("\(what.prefix(120)) not found")
        case .notReady(let id, let status): .conflict("export \(id) is \(status); its file comes when it completes")
        case .stillActive(let id): .conflict("export \(id) is still being made")
        }
    }
}

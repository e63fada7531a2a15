/// Which of a run's two checkpoints: the epoch with the best validation accuracy, or the latest,
/// which a resume continues from. The raw value names the file, `DATA/runs/<run>/<name>.ckpt`.
public enum RunCheckpoint: String, Sendable, CaseIterable {
    case best
    case last
}

import Quarry
import Testing

/// Figures worked out by hand from scikit-learn's definitions (and checked in Python:
/// `classification_report(t, p, labels=[0, 1, 2, 3], zero_division=0, output_dict=True)`).
struct ClassificationReportTests {
    // Class 3 is never true and never predicted; class 2 is never predicted.
    static let truths = [0, 0, 0, 1, 1, 2, 2, 2]
    static let predictions = [0, 0, 1, 1, 1, 0, 1, 0]

    static func report(classes: [String] = ["a", "b", "c", "d"], topFive: [Bool]? = nil) -> ClassificationReport {
        ClassificationReport(classes: classes, truths: truths, predictions: predictions,
                             inTopFive: topFive ?? truths.map { _ in true }, losses: [0.1, 0.2, 1.5, 0.3, 0.4, 2.0, 1.0, 2.5])
    }

    @Test func perClassFiguresFollowScikitLearn() {
        let report = Self.report()
        #expect(report.count == 8)
        #expect(report.accuracy == 4.0 / 8)
        #expect(report.confusionMatrix == [[2, 1, 0, 0], [0, 2, 0, 0], [2, 1, 0, 0], [0, 0, 0, 0]])
        // a: 2 of 4 predicted right, 2 of 3 found. b: 2 of 4, 2 of 2. c and d: nothing, so 0.
        let a = report.perClass[0], b = report.perClass[1], c = report.perClass[2], d = report.perClass[3]
        #expect(a.precision == 0.5 && abs(a.recall - 2.0 / 3) < 1e-12 && abs(a.f1 - 4.0 / 7) < 1e-12 && a.support == 3)
        #expect(b.precision == 0.5 && b.recall == 1 && abs(b.f1 - 2.0 / 3) < 1e-12 && b.support == 2)
        #expect(c.precision == 0 && c.recall == 0 && c.f1 == 0 && c.support == 3)
        #expect(d.precision == 0 && d.recall == 0 && d.f1 == 0 && d.support == 0)
        #expect(report.perClass.map(\.className) == ["a", "b", "c", "d"])
    }

    @Test func averagesAreMacroOverEveryClassAndWeightedBySupport() {
        let report = Self.report()
        #expect(abs(report.macroAverage.precision - 0.25) < 1e-12)
        #expect(abs(report.macroAverage.recall - (2.0 / 3 + 1) / 4) < 1e-12)
        #expect(abs(report.macroAverage.f1 - (4.0 / 7 + 2.0 / 3) / 4) < 1e-12)
        #expect(abs(report.weightedAverage.precision - (3 * 0.5 + 2 * 0.5) / 8) < 1e-12)
        #expect(abs(report.weightedAverage.recall - (3 * 2.0 / 3 + 2) / 8) < 1e-12)
        #expect(abs(report.weightedAverage.f1 - (3 * 4.0 / 7 + 2 * 2.0 / 3) / 8) < 1e-12)
        #expect(report.macroAverage.support == 8 && report.weightedAverage.support == 8)
        #expect(abs(report.meanLoss - 8.0 / 8) < 1e-12)
    }

    @Test func topFiveOnlyWithMoreThanFiveClasses() {
        #expect(Self.report().top5Accuracy == nil)
        let many = Self.report(classes: ["a", "b", "c", "d", "e", "f"], topFive: [true, true, false, true, true, true, false, true])
        #expect(many.top5Accuracy == 6.0 / 8)
    }

    @Test func anEmptySubsetIsAllZeros() {
        let report = ClassificationReport(classes: ["a", "b"], truths: [], predictions: [], inTopFive: [], losses: [])
        #expect(report.count == 0 && report.accuracy == 0 && report.meanLoss == 0)
        for average in [report.macroAverage, report.weightedAverage] {
            #expect(average.precision == 0 && average.recall == 0 && average.f1 == 0 && average.support == 0)
        }
    }
}

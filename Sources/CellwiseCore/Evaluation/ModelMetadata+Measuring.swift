extension ModelMetadata {
    /// Metadata for `model` measured on `dataset` with the exact activations: validation loss and
    /// accuracy, test accuracy, and each site's pre-activation range on the validation split (what
    /// range-aware fits read).
    ///
    /// - Throws: ``DataError`` when the data does not fit the model (feature count, a sample longer
    ///   than the model's steps, a label beyond its classes).
    public init(
        measuring model: RecurrentModel, on dataset: Dataset, training: TrainingConfiguration?, epochsRun: Int,
        bestEpoch: Int
    ) throws {
        let approximations = try ApproximationLibrary()
        let exact = ActivationPlan(uniform: .exact, layout: model.sites)
        let validationEvaluator = try PlanEvaluator(
            model: model, split: dataset.validation, approximations: approximations, cachedPlans: 0)
        let testEvaluator = try PlanEvaluator(
            model: model, split: dataset.test, approximations: approximations, cachedPlans: 0)
        let validation = try SplitMetrics(evaluator: validationEvaluator)
        let ranges = try validationEvaluator.preactivationStatistics(
            of: exact, lower: approximations.lower, upper: approximations.upper
        ).map(\.range)
        self.init(
            dataset: dataset.source.description, splitSeed: dataset.splitSeed, training: training,
            epochsRun: epochsRun, bestEpoch: bestEpoch, validationLoss: validation.loss,
            validationAccuracy: validation.accuracy, testAccuracy: try testEvaluator.accuracy(of: exact),
            cellRanges: ranges)
    }
}

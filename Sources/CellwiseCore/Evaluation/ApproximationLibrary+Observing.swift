extension ApproximationLibrary {
    /// A library whose range and weighted fits are made from the exact model's pre-activations on
    /// `split` (observed on first use).
    ///
    /// The split is the fitting split (the training split by default): never the one a search
    /// scores plans on, and never the test split.
    public static func observing(
        model: RecurrentModel, split: DataSplit, lower: Double = -8, upper: Double = 8
    ) throws -> ApproximationLibrary {
        let box = UncheckedSendable((model, split))
        return try ApproximationLibrary(
            lower: lower, upper: upper,
            fittingData: "\(split.name.rawValue) split (\(split.count) samples), exact model",
            observe: { @Sendable in
                let (model, split) = box.value
                let exactOnly = try ApproximationLibrary(lower: lower, upper: upper)
                return try PlanEvaluator(model: model, split: split, approximations: exactOnly, cachedPlans: 0)
                    .observedDistributions()
            })
    }
}

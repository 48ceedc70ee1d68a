import CellwiseCore

/// Keras's `ReduceLROnPlateau(monitor="val_loss", factor:, patience:, min_lr:)` with its default
/// `min_delta` of 1e-4 and no cooldown.
struct ReduceLearningRateOnPlateau {
    let factor: Double
    let patience: Int
    let minimum: Double
    let minimumDelta = 1e-4
    private var best = Double.infinity
    private var wait = 0

    init(factor: Double, patience: Int, minimum: Double) {
        self.factor = factor
        self.patience = patience
        self.minimum = minimum
    }

    /// Records an epoch's validation loss and returns the learning rate for the next epoch.
    mutating func next(validationLoss: Double, learningRate: Double) -> Double {
        if validationLoss < best - minimumDelta {
            best = validationLoss
            wait = 0
            return learningRate
        }
        wait += 1
        guard wait >= patience, learningRate > minimum else { return learningRate }
        wait = 0
        return max(learningRate * factor, minimum)
    }
}

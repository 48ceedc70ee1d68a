import CellwiseCore

/// Keras's `EarlyStopping(monitor="val_loss", patience:, restore_best_weights=True)`.
struct EarlyStopping {
    let patience: Int
    private(set) var bestLoss = Double.infinity
    private(set) var bestEpoch = 0
    private(set) var bestModel: RecurrentModel?
    private var wait = 0

    init(patience: Int) { self.patience = patience }

    /// Records an epoch's validation loss; returns true when training should stop.
    mutating func shouldStop(epoch: Int, validationLoss: Double, model: RecurrentModel) -> Bool {
        if validationLoss < bestLoss {
            bestLoss = validationLoss
            bestEpoch = epoch
            bestModel = model
            wait = 0
            return false
        }
        wait += 1
        return wait >= patience
    }
}

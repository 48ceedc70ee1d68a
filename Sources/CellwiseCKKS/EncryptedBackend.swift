import Foundation

/// The execution side of an encrypted run: what encrypts a job's images, evaluates its circuit,
/// and decrypts the logits. Cellwise's cost model, circuit and job (this module) know no library;
/// OpenFHE, through `tools/ckks/cellwise_ckks.py`, is one implementation (`OpenFHEBridge` in
/// CellwiseOpenFHE), and another library would be another.
///
/// A backend is handed the job as a file (``EncryptedJob``, JSON) and the indices of the batches
/// (ciphertexts of `images per batch` images, in job order) to compute. It writes each batch's
/// result to `results/batch-KKKK.json` atomically as soon as it is decrypted (decrypted logits,
/// seconds, bootstraps, the parameters it ran with), keeps its keys and inputs in `work` (a private
/// folder, mode 0700) so that a call started again after an interruption resumes with them, and
/// reports progress in lines.
public protocol EncryptedBackend: Sendable {
    /// Computes `batches` of the job in `job`.
    ///
    /// - Parameters:
    ///   - options: The backend's own parameter options (for OpenFHE, `--ring-dim`, `--levels`, ...).
    ///   - progress: Receives a line when keys are ready and when a batch is done.
    func compute(
        job: URL, batches: [Int], options: [String], work: URL, results: URL,
        progress: @escaping @Sendable (String) -> Void
    ) throws
}

/// The weight initialisers Keras uses for `SimpleRNN` and `Dense`, drawn from a seeded generator.
enum KerasInitializer {
    /// Glorot (Xavier) uniform: U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).
    static func glorotUniform(rows: Int, columns: Int, using generator: inout SeededGenerator) -> [Float] {
        let limit = (6.0 / Double(rows + columns)).squareRoot()
        return (0..<(rows * columns)).map { _ in Float(generator.nextUniform(-limit, limit)) }
    }

    /// Orthogonal: the Q factor of the QR decomposition of a standard-normal matrix, with
    /// column signs taken from R's diagonal (gain 1).
    static func orthogonal(size: Int, using generator: inout SeededGenerator) -> [Float] {
        let normal = (0..<(size * size)).map { _ in generator.nextNormal() }
        // dgeqrf/dorgqr fail only on invalid arguments, which this call cannot pass; fall back
        // to the identity rather than crash if LAPACK ever disagrees.
        guard let q = try? LinearAlgebra.orthogonalFactor(of: normal, n: size) else {
            return (0..<(size * size)).map { $0 / size == $0 % size ? 1 : 0 }
        }
        return q.map { Float($0) }
    }
}

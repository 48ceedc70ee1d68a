/// Where a model's activation sites are: every nonlinearity of every layer at every time step,
/// addressed by (step, layer, kind) and numbered in evaluation order, step by step, each step
/// layer by layer, each cell in ``RecurrentCell/sites`` order.
///
/// A plan gives one activation per site in this order; for the paper's one-layer SimpleRNN
/// site `t` is simply cell `t`.
///
/// ```swift
/// let layout = SiteLayout(cell: .gru(resetAfter: true), layers: 2, timeSteps: 29)
/// layout.count               // 174 = 29 steps x 2 layers x 3 sites
/// layout.site(4)             // step 0, layer 1, r
/// ```
public struct SiteLayout: Hashable, Sendable {
    /// The cell kind of every layer.
    public let cell: RecurrentCell
    /// Stacked layers.
    public let layers: Int
    /// Time steps.
    public let timeSteps: Int

    /// One site's address.
    public struct Site: Hashable, Sendable, CustomStringConvertible {
        /// The time step, from 0.
        public var step: Int
        /// The layer, from 0 (the one reading the input).
        public var layer: Int
        /// The nonlinearity.
        public var kind: SiteKind

        /// `step 3 h`, or `step 3 layer 1 z` in a stacked model.
        public var description: String { "step \(step) \(kind)" }
    }

    /// Creates the layout of a model.
    public init(cell: RecurrentCell, layers: Int, timeSteps: Int) {
        self.cell = cell
        self.layers = layers
        self.timeSteps = timeSteps
    }

    /// Sites per cell (one step of one layer).
    public var sitesPerCell: Int { cell.sites.count }

    /// Cells: `timeSteps x layers`, in evaluation order.
    public var cells: Int { timeSteps * layers }

    /// The number of sites.
    public var count: Int { cells * sitesPerCell }

    /// The address of site `index`.
    public func site(_ index: Int) -> Site {
        let kinds = cell.sites
        let cellIndex = index / kinds.count
        return Site(step: cellIndex / layers, layer: cellIndex % layers, kind: kinds[index % kinds.count])
    }

    /// The index of the site at (`step`, `layer`, `kind`), nil when the cell has no such site.
    public func index(step: Int, layer: Int, kind: SiteKind) -> Int? {
        guard let k = cell.sites.firstIndex(of: kind) else { return nil }
        return (step * layers + layer) * sitesPerCell + k
    }

    /// The function each site computes, in site order.
    public var functions: [ActivationFunction] {
        (0..<count).map { cell.sites[$0 % sitesPerCell].function }
    }

    /// A site's name in messages: `site 7 (step 2, layer 0, r)`, or `cell 7` for a one-layer SimpleRNN.
    public func name(of index: Int) -> String {
        if cell == .simpleRNN && layers == 1 { return "cell \(index)" }
        let site = site(index)
        return "site \(index) (step \(site.step), layer \(site.layer), \(site.kind))"
    }
}

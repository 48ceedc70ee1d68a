/// Where a model's activation sites are: every nonlinearity of every pass of every layer at
/// every step, addressed by (layer, direction, step, kind) and numbered in evaluation order.
///
/// A *cell* is one step of one pass of one layer. When every layer runs forward, cells are
/// numbered step by step and, within a step, layer by layer, so that a plan's first sites are
/// the model's first steps. A model with a reverse or bidirectional layer is evaluated layer by
/// layer (a layer above needs the backward pass's whole sequence), so its cells are numbered
/// layer by layer, each layer's forward pass before its backward pass, each pass step by step.
/// Within a cell, sites follow the cell kind's ``RecurrentCell/sites``.
///
/// A plan gives one activation per site in this order; for the paper's one-layer SimpleRNN
/// site `t` is simply cell `t`.
///
/// ```swift
/// let layout = SiteLayout(cell: .gru(resetAfter: true), layers: 2, timeSteps: 29)
/// layout.count               // 174 = 29 steps x 2 layers x 3 sites
/// layout.site(4)             // step 0, layer 1, r
/// let mixed = SiteLayout(layers: [.init(cell: .gru(resetAfter: true)), .init(cell: .lstm)], timeSteps: 29)
/// mixed.count                // 232 = 29 steps x (3 + 5) sites
/// ```
public struct SiteLayout: Hashable, Sendable {
    /// One layer as far as its sites go: its cell kind and direction.
    public struct Layer: Hashable, Sendable {
        /// The cell kind.
        public var cell: RecurrentCell
        /// Which way it runs.
        public var direction: LayerDirection

        /// A layer of `cell` running `direction`.
        public init(cell: RecurrentCell, direction: LayerDirection = .forward) {
            self.cell = cell
            self.direction = direction
        }
    }

    /// The layers, the one reading the input first.
    public let layers: [Layer]
    /// Time steps.
    public let timeSteps: Int
    /// The cells in site order.
    private let table: [Cell]
    /// Each site's cell, in site order.
    private let cellOfSite: [Int32]

    /// One cell's address and its sites.
    public struct Cell: Hashable, Sendable {
        /// The layer, from 0 (the one reading the input).
        public var layer: Int
        /// The pass's direction.
        public var direction: PassDirection
        /// The pass: 0, or 1 for a bidirectional layer's backward pass (its weights' index).
        public var pass: Int
        /// The pass's step, from 0 (a backward pass's step 0 reads the last time step).
        public var step: Int
        /// Its first site.
        public var firstSite: Int
        /// Its sites: `firstSite..<firstSite + kinds.count`.
        public var sites: Range<Int>
    }

    /// One site's address.
    public struct Site: Hashable, Sendable, CustomStringConvertible {
        /// The pass's step, from 0.
        public var step: Int
        /// The layer, from 0 (the one reading the input).
        public var layer: Int
        /// The pass's direction.
        public var direction: PassDirection
        /// The nonlinearity.
        public var kind: SiteKind

        /// `step 3 h`, or `step 3 backward h` in a backward pass.
        public var description: String { "step \(step) \(direction == .backward ? "backward " : "")\(kind)" }
    }

    /// The layout of `layers` stacked layers of one kind, all running forward.
    public init(cell: RecurrentCell, layers: Int, timeSteps: Int) {
        self.init(layers: Array(repeating: Layer(cell: cell), count: layers), timeSteps: timeSteps)
    }

    /// The layout of any stack of layers.
    public init(layers: [Layer], timeSteps: Int) {
        self.layers = layers
        self.timeSteps = timeSteps
        var table = [Cell]()
        var next = 0
        func append(_ l: Int, _ pass: Int, _ step: Int) {
            let layer = layers[l]
            let count = layer.cell.sites.count
            table.append(
                Cell(
                    layer: l, direction: layer.direction.passes[pass], pass: pass, step: step, firstSite: next,
                    sites: next..<(next + count)))
            next += count
        }
        if layers.allSatisfy({ $0.direction == .forward }) {
            for step in 0..<timeSteps {
                for l in layers.indices { append(l, 0, step) }
            }
        } else {
            for l in layers.indices {
                for pass in layers[l].direction.passes.indices {
                    for step in 0..<timeSteps { append(l, pass, step) }
                }
            }
        }
        self.table = table
        var cellOfSite = [Int32]()
        cellOfSite.reserveCapacity(next)
        for (index, cell) in table.enumerated() {
            cellOfSite += repeatElement(Int32(index), count: cell.sites.count)
        }
        self.cellOfSite = cellOfSite
    }

    public static func == (a: SiteLayout, b: SiteLayout) -> Bool {
        a.timeSteps == b.timeSteps && a.layers == b.layers
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timeSteps)
        hasher.combine(layers)
    }

    /// Whether cells are numbered step by step (every layer runs forward), so that a plan's
    /// first sites are the model's first steps.
    public var isStepMajor: Bool { layers.allSatisfy { $0.direction == .forward } }

    /// The cell kind every layer shares, or nil for a stack of different kinds.
    public var cell: RecurrentCell? {
        let first = layers[0].cell
        return layers.allSatisfy { $0.cell == first } ? first : nil
    }

    /// Whether this is the paper's shape: one SimpleRNN layer running forward, whose sites are its cells.
    public var isOneSimpleRNNLayer: Bool {
        layers.count == 1 && layers[0].cell == .simpleRNN && layers[0].direction == .forward
    }

    /// Sites per cell when every cell has the same number (a stack of one kind), else nil.
    public var sitesPerCell: Int? {
        let first = layers[0].cell.sites.count
        return layers.allSatisfy { $0.cell.sites.count == first } ? first : nil
    }

    /// The number of cells (steps of a pass of a layer).
    public var cells: Int { table.count }

    /// Cells per time step: one per pass of every layer.
    public var cellsPerStep: Int { layers.reduce(0) { $0 + $1.direction.passes.count } }

    /// The number of sites.
    public var count: Int { cellOfSite.count }

    /// Cell `index`, in site order.
    public func cell(_ index: Int) -> Cell { table[index] }

    /// The cell kind of cell `index`.
    public func kind(ofCell index: Int) -> RecurrentCell { layers[table[index].layer].cell }

    /// The index of the cell site `site` belongs to.
    public func cellIndex(ofSite site: Int) -> Int { Int(cellOfSite[site]) }

    /// The address of site `index`.
    public func site(_ index: Int) -> Site {
        let cell = table[Int(cellOfSite[index])]
        let kinds = layers[cell.layer].cell.sites
        return Site(step: cell.step, layer: cell.layer, direction: cell.direction, kind: kinds[index - cell.firstSite])
    }

    /// The index of cell (`layer`, `direction`, `step`), nil when the model has no such cell.
    public func cellIndex(layer: Int, direction: PassDirection = .forward, step: Int) -> Int? {
        guard layers.indices.contains(layer), (0..<timeSteps).contains(step),
            let pass = layers[layer].direction.passes.firstIndex(of: direction)
        else { return nil }
        if isStepMajor { return step * layers.count + layer }
        var index = 0
        for l in 0..<layer { index += layers[l].direction.passes.count * timeSteps }
        return index + pass * timeSteps + step
    }

    /// The index of the site at (`layer`, `direction`, `step`, `kind`), nil when the model has no such site.
    public func index(step: Int, layer: Int, direction: PassDirection = .forward, kind: SiteKind) -> Int? {
        guard let c = cellIndex(layer: layer, direction: direction, step: step),
            let k = layers[layer].cell.sites.firstIndex(of: kind)
        else { return nil }
        return table[c].firstSite + k
    }

    /// The largest number of whole cells a prefix of `sites` sites covers.
    public func cells(coveredBy sites: Int) -> Int {
        guard sites < count else { return cells }
        return Int(cellOfSite[sites])
    }

    /// The function each site computes, in site order.
    public var functions: [ActivationFunction] {
        table.flatMap { layers[$0.layer].cell.sites.map(\.function) }
    }

    /// Each site's kind, in site order.
    public var kinds: [SiteKind] {
        table.flatMap { layers[$0.layer].cell.sites }
    }

    /// The site kinds of the model, each once, in order of first appearance.
    public var distinctKinds: [SiteKind] {
        var seen = [SiteKind]()
        for layer in layers {
            for kind in layer.cell.sites where !seen.contains(kind) { seen.append(kind) }
        }
        return seen
    }

    /// A site's name in messages: `site 7 (step 2, layer 0, r)`, or `cell 7` for a one-layer SimpleRNN.
    public func name(of index: Int) -> String {
        if isOneSimpleRNNLayer { return "cell \(index)" }
        let site = site(index)
        let pass = site.direction == .backward ? "backward " : ""
        return "site \(index) (step \(site.step), layer \(site.layer), \(pass)\(site.kind))"
    }
}

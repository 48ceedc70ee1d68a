import CellwiseCKKS
import CellwiseCore

/// NSGA-II over (validation accuracy, latency), after AutoFHE: an initial population seeded with
/// the uniform plans (every cell at one degree) and filled with random plans, cut to the
/// population size by non-dominated sorting and crowding distance; each generation adds
/// offspring by uniform crossover of tournament-selected parents and by one-gene mutation
/// (down one degree with p = 0.5, up with p = 0.3), then keeps the best by the same ranking.
/// Deterministic for a seed.
public struct GeneticSearch: SearchStrategy {
    public static let name = "ga"
    public static let summary =
        "NSGA-II over (accuracy, latency): uniform plans seeded, crossover and mutation, non-dominated survival."
    public static let isStochastic = true
    public static let options = [
        StrategyOption("population", "survivors per generation (default 20)"),
        StrategyOption("initial", "size of the initial population before the first cut (default 100)"),
        StrategyOption("crossovers", "crossover offspring per generation (default 40)"),
        StrategyOption("mutations", "mutation offspring per generation (default 40)"),
        StrategyOption("generations", "most generations; 0 runs until the budget is spent (default 0)"),
    ]

    /// Survivors per generation.
    public var population: Int
    /// Initial population size.
    public var initial: Int
    /// Crossover offspring per generation.
    public var crossovers: Int
    /// Mutation offspring per generation.
    public var mutations: Int
    /// Generation limit (0: none).
    public var generations: Int

    public init(options: StrategyOptions) throws {
        population = try options.int("population", default: 20, in: 2...10_000)
        initial = try options.int("initial", default: 100, in: 1...100_000)
        crossovers = try options.int("crossovers", default: 40, in: 0...100_000)
        mutations = try options.int("mutations", default: 40, in: 0...100_000)
        generations = try options.int("generations", default: 0, in: 0...1_000_000)
    }

    public mutating func run(in context: SearchContext) throws {
        let space = context.space
        let width = space.freeCells.count
        let degreeCount = space.candidates.count

        // Initial population: uniform plans, then distinct random plans.
        var genomes = [[Int]]()
        var seen = Set<[Int]>()
        func add(_ genome: [Int]) { if seen.insert(genome).inserted { genomes.append(genome) } }
        for gene in stride(from: degreeCount - 1, through: 0, by: -1) { add([Int](repeating: gene, count: width)) }
        var attempts = 0
        while genomes.count < initial && attempts < 100 * initial {
            attempts += 1
            add((0..<width).map { _ in Int(context.random.next() % UInt64(degreeCount)) })
        }
        var members = try genomes.map { (genome: $0, score: try context.evaluator.evaluate(space.plan(genes: $0))) }
        members = select(members, count: population).members

        var generation = 0
        var idle = 0
        while generations == 0 || generation < generations {
            generation += 1
            let ranking = select(members, count: members.count)
            func tournament() -> [Int] {
                var best = Int(context.random.next() % UInt64(members.count))
                for _ in 0..<2 {
                    let other = Int(context.random.next() % UInt64(members.count))
                    if (ranking.rank[other], -ranking.crowding[other]) < (ranking.rank[best], -ranking.crowding[best]) {
                        best = other
                    }
                }
                return members[best].genome
            }
            var children = [[Int]]()
            for _ in 0..<crossovers {
                let (a, b) = (tournament(), tournament())
                children.append((0..<width).map { context.random.nextUnit() < 0.5 ? a[$0] : b[$0] })
            }
            for _ in 0..<mutations {
                var child = tournament()
                let position = Int(context.random.next() % UInt64(width))
                let u = context.random.nextUnit()
                if u < 0.5 {
                    child[position] = max(0, child[position] - 1)
                } else if u < 0.8 {
                    child[position] = min(degreeCount - 1, child[position] + 1)
                }
                children.append(child)
            }
            let before = context.evaluator.distinctPlans
            var pool = members
            var inPool = Set(members.map(\.genome))
            for child in children where inPool.insert(child).inserted {
                pool.append((child, try context.evaluator.evaluate(space.plan(genes: child))))
            }
            members = select(pool, count: population).members
            // A small space can run out of new plans; stop instead of cycling forever.
            idle = context.evaluator.distinctPlans == before ? idle + 1 : 0
            if idle >= 50 { return }
        }
    }

    /// NSGA-II survival; also returns each survivor's front and crowding distance.
    private func select(_ pool: [(genome: [Int], score: PlanScore)], count: Int)
        -> (members: [(genome: [Int], score: PlanScore)], rank: [Int], crowding: [Double])
    {
        let result = NondominatedSorting.survivors(pool.map(\.score), count: count)
        return (
            result.indices.map { pool[$0] }, result.indices.map { result.rank[$0] },
            result.indices.map { result.crowding[$0] }
        )
    }
}

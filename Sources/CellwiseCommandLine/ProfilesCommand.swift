import ArgumentParser
import Cellwise
import Foundation

struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in cost profiles, or print one as a TOML file.",
        discussion: """
            Example:
              cellwise profiles
              cellwise profiles --show heaan-fgb > my-profile.toml
            """)

    @Option(help: "Print this profile (a preset or a file) as TOML.")
    var show: String?

    func run() throws {
        if let show {
            print(try CostProfile.named(show).tomlText, terminator: "")
            return
        }
        for (name, profile) in CostProfile.presets.sorted(by: { $0.key < $1.key }) {
            print("\(name.padding(toLength: 24, withPad: " ", startingAt: 0))\(profile.description)")
        }
    }
}

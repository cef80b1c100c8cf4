import Foundation
import NNSearchCLI

exit(CommandLine.runMain())

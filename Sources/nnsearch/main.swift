import Foundation
import NNSearch

exit(CommandLine.runMain())

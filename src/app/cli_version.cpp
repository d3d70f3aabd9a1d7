// `bitcim version` and `bitcim --version`: the version (models/bitcim/VERSION, shared with
// the Python package) and the git revision of the tree it was built from, written by
// cmake/version_info.cmake at every build ("unknown" outside a git checkout).
#include <iostream>
#include <string>

#include "app/cli.h"
#include "bitcim_version.h"

namespace bitcim::cli {

std::string version_line() {
    return std::string("bitcim ") + BITCIM_VERSION + " (git " + BITCIM_GIT_REVISION + ")";
}

void add_version_command(CLI::App& app) {
    app.set_version_flag("--version", version_line(), "Print the version and git revision, and exit");
    auto* cmd = app.add_subcommand("version", "Print the version and the git revision it was built from");
    cmd->callback([] { std::cout << version_line() << "\n"; });
}

}  // namespace bitcim::cli

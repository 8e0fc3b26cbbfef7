#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace pinfold::cli {

int Main(int argc, char** argv) {
    CLI::App app{"pinfold: a self-hosted server for AI agents, each in its own sandbox"};
    app.require_subcommand(1);
    int exitCode = 0;
    AddServeCommand(app, exitCode);
    AddKeysCommand(app, exitCode);
    AddEnginesCommand(app, exitCode);
    AddAgentsCommand(app, exitCode);
    AddCidCommand(app, exitCode);
    AddSnapshotsCommand(app, exitCode);
    AddSecretsCommand(app, exitCode);
    AddSkillsCommand(app, exitCode);
    AddTemplatesCommand(app, exitCode);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return exitCode;
}

}  // namespace pinfold::cli

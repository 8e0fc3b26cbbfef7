// The `pinfold` command line: `serve`, `keys`, `engines` (admin, on this machine's data folder)
// and `agents`, `snapshots`, `secrets` (clients that speak only HTTP to a server).
// `cid` prints the IPFS CID of a file or folder, offline; `templates validate` checks a template
// folder, offline.
#pragma once

namespace CLI {
class App;
}

namespace pinfold::cli {

int Main(int argc, char** argv);

// Each registers its subcommand on the app; the callback runs the command and sets `exitCode`.
void AddServeCommand(CLI::App& app, int& exitCode);
void AddKeysCommand(CLI::App& app, int& exitCode);
void AddEnginesCommand(CLI::App& app, int& exitCode);
void AddAgentsCommand(CLI::App& app, int& exitCode);
void AddCidCommand(CLI::App& app, int& exitCode);
void AddSnapshotsCommand(CLI::App& app, int& exitCode);
void AddSecretsCommand(CLI::App& app, int& exitCode);
void AddSkillsCommand(CLI::App& app, int& exitCode);  // `skills` and `hub`
void AddTemplatesCommand(CLI::App& app, int& exitCode);

}  // namespace pinfold::cli

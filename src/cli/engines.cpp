// `pinfold engines install openclaw[@VERSION]` and `pinfold engines list`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "runtime/engine_installer.h"
#include "runtime/engine_registry.h"

namespace pinfold::cli {
namespace {

struct EnginesOptions {
    std::string dataDir = "./data";
    std::string enginesDir;  // default <data>/engines
    std::string enginesFile;
    std::string spec;

    std::string resolvedEnginesDir() const {
        return enginesDir.empty() ? dataDir + "/engines" : enginesDir;
    }
};

}  // namespace

void AddEnginesCommand(CLI::App& app, int& exitCode) {
    auto options = std::make_shared<EnginesOptions>();
    CLI::App* engines = app.add_subcommand("engines", "Install and list agent engines");
    engines->require_subcommand(1);
    // Every leaf takes the folder options, so they may follow the subcommand.
    auto addFolderOptions = [options](CLI::App* cmd) {
        cmd->add_option("--data", options->dataDir, "Data folder of the server")
            ->envname("PINFOLD_DATA")
            ->capture_default_str();
        cmd->add_option("--engines-dir", options->enginesDir,
                        "Where engines are installed (default <data>/engines)")
            ->envname("PINFOLD_ENGINES_DIR");
    };

    CLI::App* install = engines->add_subcommand("install", "Install an engine from npm packages");
    addFolderOptions(install);
    install->add_option("engine", options->spec, "openclaw or openclaw@VERSION")->required();
    install->callback([options, &exitCode] {
        Status s = runtime::InstallEngine(options->resolvedEnginesDir(), options->spec, std::cerr);
        if (!s.ok()) {
            std::cerr << "pinfold engines install: " << s.message() << "\n";
            exitCode = 1;
            return;
        }
        std::cout << "Installed " << options->spec << " in " << options->resolvedEnginesDir()
                  << std::endl;
    });

    CLI::App* list = engines->add_subcommand("list", "Engines known to this server");
    addFolderOptions(list);
    list->add_option("--engines", options->enginesFile, "Engines file (JSON)")
        ->envname("PINFOLD_ENGINES");
    list->callback([options, &exitCode] {
        runtime::EngineRegistry registry(options->resolvedEnginesDir());
        if (!options->enginesFile.empty()) {
            Status s = registry.loadFile(options->enginesFile);
            if (!s.ok()) {
                std::cerr << "pinfold engines list: " << s.message() << "\n";
                exitCode = 1;
                return;
            }
        }
        for (const auto& engine : registry.list()) {
            std::cout << engine.id << "\t" << engine.label << "\t"
                      << (engine.versions.empty() ? "" : engine.versions.front()) << "\t"
                      << (engine.installed ? "installed" : "not installed") << "\n";
        }
    });
}

}  // namespace pinfold::cli

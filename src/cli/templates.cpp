// `pinfold templates validate DIR`: checks a template folder offline (manifest.json, README.md,
// workspace/) as the server's POST /v0/templates/validate does for a repository. Prints
// "manifest.json is valid", or every error on its own line to stderr and exits 1.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "services/template_folder.h"

namespace pinfold::cli {
namespace {

struct TemplateOptions {
    std::string dir;
};

int ValidateFolder(const TemplateOptions& o) {
    Result<services::TemplateFolderCheck> check = services::ValidateTemplateFolder(o.dir);
    if (!check.ok()) {
        std::cerr << "pinfold templates validate: " << check.status().message() << "\n";
        return 1;
    }
    if (!check->valid()) {
        for (const std::string& error : check->errors)
            std::cerr << error << "\n";
        return 1;
    }
    std::cout << "manifest.json is valid" << std::endl;
    return 0;
}

}  // namespace

void AddTemplatesCommand(CLI::App& app, int& exitCode) {
    auto o = std::make_shared<TemplateOptions>();
    CLI::App* templates = app.add_subcommand("templates", "Check and publish agent templates");
    templates->require_subcommand(1);

    CLI::App* validate = templates->add_subcommand(
        "validate", "Check a template folder (manifest.json, README.md, workspace/), offline");
    validate->add_option("dir", o->dir, "Template folder")->required();
    validate->callback([o, &exitCode] { exitCode = ValidateFolder(*o); });
}

}  // namespace pinfold::cli

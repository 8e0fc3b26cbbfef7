// `pinfold keys create|revoke|list`: API keys, minted on the server's own data folder.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "cli/data_dir.h"
#include "core/clock.h"
#include "services/key_service.h"

namespace pinfold::cli {
namespace {

struct KeysOptions {
    std::string dataDir = "./data";
    std::string masterKeyFile;
    std::string workspace;
    std::string name;
    std::string keyId;
    int64_t ttlSeconds = 0;
};

int WithKeyService(const KeysOptions& o, const std::function<Status(services::KeyService&)>& fn) {
    auto opened = OpenDataDir(o.dataDir, o.masterKeyFile);
    if (!opened.ok()) {
        std::cerr << "pinfold keys: " << opened.status().message() << "\n";
        return 1;
    }
    RealClock clock;
    services::KeyService keys(*opened->db, clock, JwtSigningKey(opened->masterKey));
    Status s = fn(keys);
    if (!s.ok()) {
        std::cerr << "pinfold keys: " << s.message() << "\n";
        return 1;
    }
    return 0;
}

}  // namespace

void AddKeysCommand(CLI::App& app, int& exitCode) {
    auto options = std::make_shared<KeysOptions>();
    CLI::App* keys = app.add_subcommand("keys", "Create, list and revoke workspace API keys");
    keys->require_subcommand(1);
    // Every leaf takes --data, so it may follow the subcommand as users write it.
    auto addDataOption = [options](CLI::App* cmd) {
        cmd->add_option("--data", options->dataDir, "Data folder of the server")
            ->envname("PINFOLD_DATA")
            ->capture_default_str();
        cmd->add_option("--master-key-file", options->masterKeyFile,
                        "The server's master key (default <data>/master.key)")
            ->envname("PINFOLD_MASTER_KEY_FILE");
    };

    CLI::App* create = keys->add_subcommand("create", "Mint an API key (printed last on stdout)");
    addDataOption(create);
    create->add_option("--workspace", options->workspace, "Workspace the key acts for")->required();
    create->add_option("--name", options->name, "A label for the key");
    create->add_option("--ttl", options->ttlSeconds, "Lifetime in seconds (0 = no expiry)");
    create->callback([options, &exitCode] {
        exitCode = WithKeyService(*options, [&](services::KeyService& keys) {
            PINFOLD_ASSIGN_OR_RETURN(
                auto key, keys.create(options->workspace, options->name, options->ttlSeconds));
            std::cerr << "Created key " << key.record.id << " for workspace "
                      << key.record.workspace << "\n";
            std::cout << key.token << std::endl;
            return Status::Ok();
        });
    });

    CLI::App* revoke = keys->add_subcommand("revoke", "Revoke an API key by its id");
    addDataOption(revoke);
    revoke->add_option("key-id", options->keyId, "The key's id (its jti)")->required();
    revoke->callback([options, &exitCode] {
        exitCode = WithKeyService(*options, [&](services::KeyService& keys) {
            PINFOLD_TRY(keys.revoke(options->keyId));
            std::cout << "Revoked " << options->keyId << std::endl;
            return Status::Ok();
        });
    });

    CLI::App* list = keys->add_subcommand("list", "List a workspace's API keys");
    addDataOption(list);
    list->add_option("--workspace", options->workspace, "Workspace")->required();
    list->callback([options, &exitCode] {
        exitCode = WithKeyService(*options, [&](services::KeyService& keys) {
            PINFOLD_ASSIGN_OR_RETURN(auto records, keys.list(options->workspace));
            for (const auto& r : records) {
                std::cout << r.id << "  " << r.name << "  created " << FormatIso8601(r.createdAtMs)
                          << (r.revokedAtMs ? "  revoked" : "") << "\n";
            }
            return Status::Ok();
        });
    });
}

}  // namespace pinfold::cli

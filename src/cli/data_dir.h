// Opening the server's data folder: its layout, database (migrated) and master key. Shared by
// `serve` and the admin commands (`keys`), which work on the same folder while a server runs.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "services/data_layout.h"
#include "store/db.h"

namespace pinfold::cli {

struct OpenedDataDir {
    services::DataLayout layout;
    std::unique_ptr<store::Db> db;
    std::string masterKey;
};

// Creates the folder (0711: agents' sandboxes must traverse it, never list it) when missing.
// The master key is read from (or created at) masterKeyFile, by default <dir>/master.key.
Result<OpenedDataDir> OpenDataDir(const std::string& dir, const std::string& masterKeyFile = "");

// The key that signs API keys, derived from the master key.
std::string JwtSigningKey(const std::string& masterKey);

}  // namespace pinfold::cli

// The server's master key: 32 random bytes in <data>/master.key (0600, created on first start).
// Every other key (the JWT signing key, per-workspace secret keys) is derived from it with HKDF,
// so one file is all there is to back up or protect. Never mounted into a sandbox.
#pragma once

#include <string>

#include "core/result.h"

namespace pinfold::services {

// Reads the key, creating it (0600) when the file does not exist yet. Refuses a key file that
// is not a regular file or that group or others may read.
Result<std::string> LoadOrCreateMasterKey(const std::string& path);

// HKDF-SHA256(master, info) -> 32 bytes; `info` names the purpose, e.g. "pinfold/jwt/hs256".
std::string DeriveKey(const std::string& masterKey, const std::string& info);

}  // namespace pinfold::services

// KeyService: workspace API keys. A key is an HS256 JWT signed with a key derived from the master
// key; its `jti` names a row in api_keys, so a key can be revoked, and `sub` names the workspace.
// Thread-safe (the Db is).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/api_key_repository.h"
#include "store/db.h"

namespace pinfold::services {

// Who a valid API key speaks for.
struct KeyIdentity {
    std::string workspace;
    std::string userId;  // the workspace's UUID
    std::string keyId;
};

struct NewApiKey {
    store::ApiKeyRecord record;
    std::string token;  // the JWT; shown once
};

class KeyService {
  public:
    KeyService(store::Db& db, const Clock& clock, std::string signingKey);

    // Workspace names: 1-64 chars of [A-Za-z0-9._-]. ttlSeconds 0 = no expiry.
    Result<NewApiKey> create(const std::string& workspace, const std::string& name,
                             int64_t ttlSeconds);
    Status revoke(const std::string& keyId);
    Result<std::vector<store::ApiKeyRecord>> list(const std::string& workspace);

    // Checks algorithm, signature, expiry and revocation. Every failure is Unauthorized.
    Result<KeyIdentity> verify(const std::string& token) const;

    // The UUID for a workspace, creating the workspace on first use.
    Result<std::string> ensureWorkspace(const std::string& workspace);
    // The UUID of an existing workspace (a read only: callers on the request path use this).
    Result<std::string> userIdOf(const std::string& workspace) const;

  private:
    store::Db& db_;
    const Clock& clock_;
    const std::string signingKey_;
};

}  // namespace pinfold::services

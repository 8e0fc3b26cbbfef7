// API keys: the record behind each JWT minted by `pinfold keys create`, so a key can be listed
// and revoked (the JWT's jti is the record's id). The JWT itself is never stored.
// Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct ApiKeyRecord {
    std::string id;         // the JWT's jti
    std::string workspace;  // the JWT's sub
    std::string name;       // a label for people
    int64_t createdAtMs = 0;
    std::optional<int64_t> expiresAtMs;  // none = never expires
    std::optional<int64_t> revokedAtMs;  // set once, by revoke()

    bool operator==(const ApiKeyRecord&) const = default;
};

class ApiKeyRepository {
  public:
    explicit ApiKeyRepository(Db& db) : db_(db) {}

    // Conflict "API key already exists" when the id is taken.
    Status insert(const ApiKeyRecord& record);

    // NotFound "API key not found". Revoked and expired keys are returned too; the caller decides.
    Result<ApiKeyRecord> get(std::string_view id);

    // Marks the key revoked at nowMs. Revoking an already revoked key is OK and keeps the first
    // time. NotFound "API key not found".
    Status revoke(std::string_view id, int64_t nowMs);

    // Every key of the workspace, revoked ones included, oldest first.
    Result<std::vector<ApiKeyRecord>> list(std::string_view workspace);

  private:
    Db& db_;
};

}  // namespace pinfold::store

// The secrets vault as stored: one row per secret of a workspace (its value sealed by the
// service, never in clear here), and one row per attachment of a secret to an agent.
//
// Every read and change takes the workspace, so a secret of another workspace is NotFound
// exactly like one that does not exist. Thread-safe as far as the Db is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/db.h"

namespace pinfold::store {

struct SecretRecord {
    std::string id;  // UUID
    std::string workspace;
    std::string name;         // an environment variable name, unique in the workspace
    std::string type;         // "secret" or "variable"
    std::string valueSealed;  // base64 of the AES-256-GCM blob (SecretService seals and opens)
    int64_t revision = 1;     // 1 when created, +1 on each new value
    int64_t createdAtMs = 0;
    int64_t updatedAtMs = 0;

    bool operator==(const SecretRecord&) const = default;
};

// A secret attached to an agent, with the agent's side of it.
struct AttachedSecret {
    SecretRecord secret;
    int64_t attachedAtMs = 0;
    std::optional<int64_t> appliedRevision;  // the revision the engine last started with
};

// One agent a secret is attached to (for the vault listing).
struct SecretAttachment {
    std::string secretId;
    std::string agentId;
    std::string agentName;
};

class SecretRepository {
  public:
    explicit SecretRepository(Db& db) : db_(db) {}

    // Conflict "Duplicate secret name" when the workspace already has one of that name.
    Status insert(const SecretRecord& record);
    // NotFound "Secret not found".
    Result<SecretRecord> get(std::string_view workspace, std::string_view id);
    // The workspace's secrets, by name.
    Result<std::vector<SecretRecord>> list(std::string_view workspace);
    Result<int64_t> count(std::string_view workspace);
    // A new sealed value: bumps revision and updatedAtMs. NotFound "Secret not found".
    Status updateValue(std::string_view workspace, std::string_view id,
                       std::string_view valueSealed, int64_t nowMs);
    // NotFound "Secret not found". Callers check attachments first.
    Status remove(std::string_view workspace, std::string_view id);

    // Attaches (a secret already attached keeps its row and state). Returns true when new.
    Result<bool> attach(std::string_view agentId, std::string_view secretId, int64_t nowMs);
    // False when it was not attached.
    Result<bool> detach(std::string_view agentId, std::string_view secretId);
    Status detachAll(std::string_view agentId);
    // The agent's secrets, by name.
    Result<std::vector<AttachedSecret>> attachedTo(std::string_view agentId);
    // Live agents that have each of the workspace's secrets attached, by agent id.
    Result<std::vector<SecretAttachment>> attachments(std::string_view workspace);
    // Records which revision of each secret an engine was started with.
    Status markApplied(std::string_view agentId, std::string_view secretId, int64_t revision);

  private:
    Db& db_;
};

}  // namespace pinfold::store

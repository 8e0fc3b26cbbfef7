#include "services/secret_service.h"

#include <algorithm>
#include <array>
#include <set>

#include "crypto/aes_gcm.h"
#include "crypto/base64.h"
#include "crypto/random.h"
#include "services/master_key.h"
#include "store/agent_repository.h"

namespace pinfold::services {
namespace {

constexpr const char* kSecret = "secret";
constexpr const char* kVariable = "variable";
constexpr size_t kMaxNameLength = 128;
constexpr size_t kMaxIdsPerAttach = 100;

// Names the platform itself sets in an engine's environment; a secret must not replace them.
constexpr std::array<std::string_view, 7> kReservedNames = {
    "GATEWAY_TOKEN", "OPENCLAW_GATEWAY_TOKEN", "HOME", "PATH", "USER", "LOGNAME", "PWD"};
constexpr std::string_view kReservedPrefix = "PINFOLD_";

// Credentials an engine would have to choose between: an agent may hold one of each group.
struct ProviderCredentials {
    std::string_view provider;
    std::vector<std::string_view> names;
};

const std::vector<ProviderCredentials>& ProviderGroups() {
    static const std::vector<ProviderCredentials> kGroups = {
        {"OpenAI", {"OPENAI_API_KEY", "OPENAI_OAUTH_TOKEN"}},
        {"Anthropic", {"ANTHROPIC_API_KEY", "ANTHROPIC_OAUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"}},
    };
    return kGroups;
}

bool IsEnvName(const std::string& name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

Status ValidateValue(const std::string& value, size_t maxBytes) {
    if (value.empty())
        return Status::InvalidArgument("Validation failed: value is required");
    if (value.size() > maxBytes) {
        return Status::InvalidArgument("Validation failed: value must be at most " +
                                       std::to_string(maxBytes) + " bytes");
    }
    // An environment entry ends at its first NUL: the engine would get a different value.
    if (value.find('\0') != std::string::npos)
        return Status::InvalidArgument("Validation failed: value must not contain NUL bytes");
    return Status::Ok();
}

std::vector<std::string> Deduplicated(const std::vector<std::string>& ids) {
    std::vector<std::string> unique;
    std::set<std::string> seen;
    for (const auto& id : ids) {
        if (seen.insert(id).second)
            unique.push_back(id);
    }
    return unique;
}

}  // namespace

Status ValidateSecretName(const std::string& name) {
    if (name.empty())
        return Status::InvalidArgument("Validation failed: name is required");
    if (name.size() > kMaxNameLength || !IsEnvName(name)) {
        return Status::InvalidArgument(
            "Validation failed: name must be a valid environment variable name (letters, digits "
            "and underscores, not starting with a digit, at most 128)");
    }
    bool reserved =
        name.starts_with(kReservedPrefix) ||
        std::find(kReservedNames.begin(), kReservedNames.end(), name) != kReservedNames.end();
    if (reserved) {
        return Status::InvalidArgument("Validation failed: name " + name +
                                       " is reserved for the platform");
    }
    return Status::Ok();
}

SecretService::SecretService(store::Db& db, std::string masterKey, const Clock& clock,
                             SecretServiceOptions options)
    : db_(db), masterKey_(std::move(masterKey)), clock_(clock), options_(options) {}

std::string SecretService::workspaceKey(const std::string& workspace) const {
    return DeriveKey(masterKey_, "pinfold/secrets/v1/" + workspace);
}

Result<std::string> SecretService::seal(const std::string& workspace, const std::string& id,
                                        const std::string& value) const {
    PINFOLD_ASSIGN_OR_RETURN(std::string blob,
                             crypto::AesGcmEncrypt(workspaceKey(workspace), value, id));
    return crypto::Base64Encode(blob);
}

Result<std::string> SecretService::open(const store::SecretRecord& record) const {
    std::optional<std::string> blob = crypto::Base64Decode(record.valueSealed);
    if (!blob)
        return Status::Internal("Secret " + record.name + " is damaged in the database");
    auto value = crypto::AesGcmDecrypt(workspaceKey(record.workspace), *blob, record.id);
    if (!value.ok()) {
        return Status::Internal("Secret " + record.name +
                                " does not open with this server's master key");
    }
    return value;
}

Result<SecretView> SecretService::view(const store::SecretRecord& record) const {
    SecretView v{record, std::nullopt, {}};
    if (record.type == kVariable) {
        PINFOLD_ASSIGN_OR_RETURN(std::string value, open(record));
        v.value = std::move(value);
    }
    return v;
}

Result<SecretView> SecretService::create(const std::string& workspace, const SecretInput& input) {
    PINFOLD_TRY(ValidateSecretName(input.name));
    PINFOLD_TRY(ValidateValue(input.value, options_.maxValueBytes));
    if (input.type != kSecret && input.type != kVariable) {
        return Status::InvalidArgument(
            "Validation failed: type must be \"secret\" or \"variable\"");
    }
    store::SecretRecord record;
    record.id = crypto::NewUuidV4();
    record.workspace = workspace;
    record.name = input.name;
    record.type = input.type;
    record.revision = 1;
    record.createdAtMs = record.updatedAtMs = clock_.nowMs();
    PINFOLD_ASSIGN_OR_RETURN(record.valueSealed, seal(workspace, record.id, input.value));
    // The count and the insert in one transaction, so parallel creates cannot pass the limit.
    PINFOLD_TRY(db_.transaction([&](store::Db& tx) -> Status {
        store::SecretRepository secrets(tx);
        PINFOLD_ASSIGN_OR_RETURN(int64_t count, secrets.count(workspace));
        if (static_cast<size_t>(count) >= options_.secretLimit)
            return Status::Forbidden("Secret limit reached");
        return secrets.insert(record);
    }));
    return view(record);
}

Result<std::vector<SecretView>> SecretService::list(const std::string& workspace) {
    store::SecretRepository secrets(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SecretRecord> records, secrets.list(workspace));
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SecretAttachment> attachments,
                             secrets.attachments(workspace));
    std::vector<SecretView> views;
    views.reserve(records.size());
    for (const auto& record : records) {
        PINFOLD_ASSIGN_OR_RETURN(SecretView v, view(record));
        for (const auto& a : attachments) {
            if (a.secretId == record.id)
                v.agents.push_back({a.agentId, a.agentName});
        }
        views.push_back(std::move(v));
    }
    return views;
}

Result<SecretView> SecretService::update(const std::string& workspace, const std::string& id,
                                         const std::string& value) {
    store::SecretRepository secrets(db_);
    PINFOLD_ASSIGN_OR_RETURN(store::SecretRecord record, secrets.get(workspace, id));
    PINFOLD_TRY(ValidateValue(value, options_.maxValueBytes));
    PINFOLD_ASSIGN_OR_RETURN(std::string sealed, seal(workspace, id, value));
    PINFOLD_TRY(secrets.updateValue(workspace, id, sealed, clock_.nowMs()));
    PINFOLD_ASSIGN_OR_RETURN(record, secrets.get(workspace, id));
    return view(record);
}

Status SecretService::remove(const std::string& workspace, const std::string& id) {
    return db_.transaction([&](store::Db& tx) -> Status {
        store::SecretRepository secrets(tx);
        PINFOLD_ASSIGN_OR_RETURN(store::SecretRecord record, secrets.get(workspace, id));
        PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SecretAttachment> attachments,
                                 secrets.attachments(workspace));
        std::string agents;
        for (const auto& a : attachments) {
            if (a.secretId == record.id)
                agents += (agents.empty() ? "" : ", ") + a.agentId;
        }
        if (!agents.empty()) {
            return Status::Conflict("Secret is still attached to agents: " + agents +
                                    "; detach it first");
        }
        return secrets.remove(workspace, id);
    });
}

Result<std::vector<store::SecretRecord>> SecretService::loadAll(
    const std::string& workspace, const std::vector<std::string>& ids) {
    if (ids.empty())
        return Status::InvalidArgument("Validation failed: secretIds must not be empty");
    if (ids.size() > kMaxIdsPerAttach) {
        return Status::InvalidArgument("Validation failed: secretIds must have at most " +
                                       std::to_string(kMaxIdsPerAttach) + " entries");
    }
    store::SecretRepository secrets(db_);
    std::vector<store::SecretRecord> records;
    for (const auto& id : Deduplicated(ids)) {
        auto record = secrets.get(workspace, id);
        if (!record.ok() && record.status().IsNotFound())
            return Status::NotFound("Secret not found: " + id);
        if (!record.ok())
            return record.status();
        records.push_back(std::move(*record));
    }
    return records;
}

Status SecretService::checkNoProviderConflict(
    const std::vector<store::SecretRecord>& secrets) const {
    for (const auto& group : ProviderGroups()) {
        std::vector<std::string> held;
        for (const auto& s : secrets) {
            bool inGroup =
                std::find(group.names.begin(), group.names.end(), s.name) != group.names.end();
            if (inGroup && std::find(held.begin(), held.end(), s.name) == held.end())
                held.push_back(s.name);
        }
        if (held.size() > 1) {
            std::sort(held.begin(), held.end());
            return Status::Conflict("Conflicting secrets: " + held[0] + " and " + held[1] +
                                    " are both " + std::string(group.provider) +
                                    " credentials; attach one of them");
        }
    }
    return Status::Ok();
}

Result<std::vector<std::string>> SecretService::checkAttachable(
    const std::string& workspace, const std::vector<std::string>& secretIds) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SecretRecord> records,
                             loadAll(workspace, secretIds));
    PINFOLD_TRY(checkNoProviderConflict(records));
    std::vector<std::string> names;
    for (const auto& r : records)
        names.push_back(r.name);
    return names;
}

Result<size_t> SecretService::attach(const std::string& workspace, const std::string& agentId,
                                     const std::vector<std::string>& secretIds) {
    PINFOLD_TRY(store::AgentRepository(db_).getInWorkspace(workspace, agentId).status());
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::SecretRecord> records,
                             loadAll(workspace, secretIds));
    store::SecretRepository secrets(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSecret> current,
                             secrets.attachedTo(agentId));
    std::vector<store::SecretRecord> combined = records;
    for (const auto& a : current)
        combined.push_back(a.secret);
    PINFOLD_TRY(checkNoProviderConflict(combined));
    int64_t now = clock_.nowMs();
    PINFOLD_TRY(db_.transaction([&](store::Db& tx) -> Status {
        store::SecretRepository inTx(tx);
        for (const auto& r : records)
            PINFOLD_TRY(inTx.attach(agentId, r.id, now).status());
        return Status::Ok();
    }));
    return records.size();
}

Status SecretService::detach(const std::string& workspace, const std::string& agentId,
                             const std::string& secretId) {
    PINFOLD_TRY(store::AgentRepository(db_).getInWorkspace(workspace, agentId).status());
    store::SecretRepository secrets(db_);
    PINFOLD_TRY(secrets.get(workspace, secretId).status());
    PINFOLD_ASSIGN_OR_RETURN(bool removed, secrets.detach(agentId, secretId));
    if (!removed)
        return Status::NotFound("Secret is not attached to this agent");
    return Status::Ok();
}

Result<std::vector<AgentSecretView>> SecretService::attachedTo(const std::string& agentId) {
    store::SecretRepository secrets(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSecret> attached,
                             secrets.attachedTo(agentId));
    std::vector<AgentSecretView> views;
    views.reserve(attached.size());
    for (auto& a : attached) {
        bool synced = a.appliedRevision == a.secret.revision;
        views.push_back({std::move(a.secret), a.attachedAtMs, synced});
    }
    return views;
}

Result<AgentEnvironment> SecretService::environmentFor(const std::string& agentId) {
    store::SecretRepository secrets(db_);
    PINFOLD_ASSIGN_OR_RETURN(std::vector<store::AttachedSecret> attached,
                             secrets.attachedTo(agentId));
    AgentEnvironment environment;
    for (const auto& a : attached) {
        PINFOLD_ASSIGN_OR_RETURN(std::string value, open(a.secret));
        if (a.secret.type == kSecret)
            environment.redactions.push_back({a.secret.name, value});
        environment.env[a.secret.name] = std::move(value);
        environment.revisions.emplace_back(a.secret.id, a.secret.revision);
    }
    return environment;
}

Status SecretService::recordStarted(const std::string& agentId,
                                    const AgentEnvironment& environment) {
    store::SecretRepository secrets(db_);
    for (const auto& [secretId, revision] : environment.revisions)
        PINFOLD_TRY(secrets.markApplied(agentId, secretId, revision));
    return Status::Ok();
}

Status SecretService::detachAll(const std::string& agentId) {
    return store::SecretRepository(db_).detachAll(agentId);
}

}  // namespace pinfold::services

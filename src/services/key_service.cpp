#include "services/key_service.h"

#include "crypto/jwt.h"
#include "crypto/random.h"
#include "store/workspace_repository.h"

namespace pinfold::services {
namespace {

bool ValidWorkspaceName(const std::string& name) {
    if (name.empty() || name.size() > 64)
        return false;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

}  // namespace

KeyService::KeyService(store::Db& db, const Clock& clock, std::string signingKey)
    : db_(db), clock_(clock), signingKey_(std::move(signingKey)) {}

Result<std::string> KeyService::ensureWorkspace(const std::string& workspace) {
    store::WorkspaceRepository workspaces(db_);
    return workspaces.ensure(workspace, crypto::NewUuidV4(), clock_.nowMs());
}

Result<std::string> KeyService::userIdOf(const std::string& workspace) const {
    store::WorkspaceRepository workspaces(db_);
    return workspaces.userIdOf(workspace);
}

Result<NewApiKey> KeyService::create(const std::string& workspace, const std::string& name,
                                     int64_t ttlSeconds) {
    if (!ValidWorkspaceName(workspace)) {
        return Status::InvalidArgument(
            "Workspace name must be 1-64 characters of letters, digits, '.', '_' or '-'");
    }
    if (ttlSeconds < 0)
        return Status::InvalidArgument("Key lifetime must not be negative");
    PINFOLD_TRY(ensureWorkspace(workspace).status());

    int64_t nowMs = clock_.nowMs();
    NewApiKey key;
    key.record.id = crypto::NewUuidV4();
    key.record.workspace = workspace;
    key.record.name = name.empty() ? "default" : name;
    key.record.createdAtMs = nowMs;
    if (ttlSeconds > 0)
        key.record.expiresAtMs = nowMs + ttlSeconds * 1000;
    store::ApiKeyRepository keys(db_);
    PINFOLD_TRY(keys.insert(key.record));

    crypto::JwtClaims claims;
    claims.subject = workspace;
    claims.keyId = key.record.id;
    claims.name = key.record.name;
    claims.issuedAt = nowMs / 1000;
    // Whole seconds from the issue time, so a key lives its full lifetime, not what is left of
    // the second it was made in.
    if (ttlSeconds > 0)
        claims.expiresAt = claims.issuedAt + ttlSeconds;
    key.token = crypto::SignJwtHs256(claims, signingKey_);
    return key;
}

Status KeyService::revoke(const std::string& keyId) {
    store::ApiKeyRepository keys(db_);
    return keys.revoke(keyId, clock_.nowMs());
}

Result<std::vector<store::ApiKeyRecord>> KeyService::list(const std::string& workspace) {
    store::ApiKeyRepository keys(db_);
    return keys.list(workspace);
}

Result<KeyIdentity> KeyService::verify(const std::string& token) const {
    PINFOLD_ASSIGN_OR_RETURN(crypto::JwtClaims claims,
                             crypto::VerifyJwtHs256(token, signingKey_, clock_.nowMs() / 1000));
    store::ApiKeyRepository keys(db_);
    auto record = keys.get(claims.keyId);
    if (!record.ok()) {
        if (record.status().IsNotFound())
            return Status::Unauthorized("Invalid token");
        return record.status();
    }
    if (record->revokedAtMs)
        return Status::Unauthorized("Token revoked");
    if (record->workspace != claims.subject)
        return Status::Unauthorized("Invalid token");
    auto userId = userIdOf(claims.subject);
    if (!userId.ok())
        return Status::Unauthorized("Missing userId");
    return KeyIdentity{claims.subject, *userId, claims.keyId};
}

}  // namespace pinfold::services

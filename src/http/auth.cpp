#include "http/auth.h"

#include "services/agent_service.h"
#include "services/key_service.h"

namespace pinfold::http {
namespace {

struct Credential {
    std::string token;
    bool fromHeader = false;
};

std::optional<Credential> FindCredential(const Request& request) {
    if (auto header = request.header("authorization")) {
        std::string_view value = *header;
        constexpr std::string_view kBearer = "Bearer ";
        if (value.size() > kBearer.size() &&
            strncasecmp(value.data(), kBearer.data(), kBearer.size()) == 0) {
            return Credential{std::string(value.substr(kBearer.size())), true};
        }
        return std::nullopt;
    }
    if (auto token = request.queryParam("token"))
        return Credential{*token, false};
    if (auto cookie = request.cookie("gw_token"))
        return Credential{*cookie, false};
    return std::nullopt;
}

// A JWT has three dot-separated parts; a gateway token is a UUID.
bool LooksLikeJwt(std::string_view token) {
    return std::count(token.begin(), token.end(), '.') == 2;
}

}  // namespace

ApiAuthenticator::ApiAuthenticator(services::KeyService& keys, services::AgentService& agents)
    : keys_(keys), agents_(agents) {}

Result<Caller> ApiAuthenticator::viaGatewayToken(const std::string& agentId,
                                                 const std::string& token) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent, agents_.findByGatewayToken(agentId, token));
    PINFOLD_ASSIGN_OR_RETURN(std::string userId, keys_.ensureWorkspace(agent.workspace));
    Caller caller;
    caller.workspace = agent.workspace;
    caller.userId = std::move(userId);
    caller.agentId = agent.id;
    caller.viaGatewayToken = true;
    return caller;
}

Result<Caller> ApiAuthenticator::authenticate(const Request& request, const Route& route,
                                              const HostInfo& host) {
    std::string pathAgent(request.pathParam("agentId"));
    auto credential = FindCredential(request);

    if (host.isAgentHost) {
        // An agent host serves only its own agent: another id in the path does not exist here.
        if (!pathAgent.empty() && pathAgent != host.agentId) {
            return Status::NotFound("Agent not found");
        }
        if (!credential)
            return Status::Unauthorized("Missing gateway token");
        return viaGatewayToken(host.agentId, credential->token);
    }

    if (!credential)
        return Status::Unauthorized("Missing authorization");
    bool gatewayAllowed = route.auth == AuthKind::kJwtOrGw || route.auth == AuthKind::kGw;
    if (credential->fromHeader && LooksLikeJwt(credential->token) && route.auth != AuthKind::kGw) {
        PINFOLD_ASSIGN_OR_RETURN(services::KeyIdentity identity, keys_.verify(credential->token));
        Caller caller;
        caller.workspace = std::move(identity.workspace);
        caller.userId = std::move(identity.userId);
        caller.keyId = std::move(identity.keyId);
        return caller;
    }
    if (gatewayAllowed && !pathAgent.empty())
        return viaGatewayToken(pathAgent, credential->token);
    // A workspace API key is only accepted from the Authorization header, never from a URL.
    return Status::Unauthorized("Invalid token");
}

}  // namespace pinfold::http

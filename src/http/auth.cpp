#include "http/auth.h"

#include "core/text.h"
#include "crypto/base64.h"
#include "services/agent_service.h"
#include "services/key_service.h"

namespace pinfold::http {

enum class CredentialSource { kHeader, kQuery, kCookie };

struct Credential {
    std::string token;
    CredentialSource source;
};

namespace {

std::optional<Credential> FindCredential(const Request& request) {
    if (auto header = request.header("authorization")) {
        std::string_view value = *header;
        constexpr std::string_view kBearer = "Bearer ";
        if (value.size() > kBearer.size() &&
            strncasecmp(value.data(), kBearer.data(), kBearer.size()) == 0) {
            return Credential{std::string(value.substr(kBearer.size())), CredentialSource::kHeader};
        }
        return std::nullopt;
    }
    if (auto token = request.queryParam("token"))
        return Credential{*token, CredentialSource::kQuery};
    if (auto cookie = request.cookie("gw_token"))
        return Credential{*cookie, CredentialSource::kCookie};
    return std::nullopt;
}

// A browser sends the cookie with requests that other sites' pages make, and every agent host is
// same-site with every other. So a cookie alone never authorises a change: the request must come
// from a page of this very host (its Origin), which fetch and forms send.
Status CheckCookieOrigin(const Request& request) {
    if (request.method == Method::kGet || request.method == Method::kHead)
        return Status::Ok();
    auto origin = request.header("origin");
    auto host = request.header("host");
    if (origin && host && (*origin == "http://" + *host || *origin == "https://" + *host))
        return Status::Ok();
    return Status::Forbidden(
        "Cross-origin request refused: send the gateway token as a Bearer header, or make the "
        "request from this agent's own pages");
}

// The password of `Authorization: Basic base64(user:password)`; the user name is ignored.
std::optional<std::string> BasicPassword(const Request& request) {
    auto header = request.header("authorization");
    if (!header)
        return std::nullopt;
    std::string_view value = *header;
    constexpr std::string_view kBasic = "Basic ";
    if (value.size() <= kBasic.size() || strncasecmp(value.data(), kBasic.data(), kBasic.size()))
        return std::nullopt;
    auto decoded = crypto::Base64Decode(TrimAscii(value.substr(kBasic.size())));
    if (!decoded)
        return std::nullopt;
    size_t colon = decoded->find(':');
    if (colon == std::string::npos)
        return std::nullopt;
    return decoded->substr(colon + 1);
}

// A JWT has three dot-separated parts; a gateway token is a UUID.
bool LooksLikeJwt(std::string_view token) {
    return std::count(token.begin(), token.end(), '.') == 2;
}

}  // namespace

ApiAuthenticator::ApiAuthenticator(services::KeyService& keys, services::AgentService& agents)
    : keys_(keys), agents_(agents) {}

Result<Caller> ApiAuthenticator::viaGatewayToken(const std::string& agentId,
                                                 const Credential& credential,
                                                 const Request& request) {
    PINFOLD_ASSIGN_OR_RETURN(store::AgentRecord agent,
                             agents_.findByGatewayToken(agentId, credential.token));
    if (credential.source == CredentialSource::kCookie)
        PINFOLD_TRY(CheckCookieOrigin(request));
    PINFOLD_ASSIGN_OR_RETURN(std::string userId, keys_.userIdOf(agent.workspace));
    Caller caller;
    caller.workspace = agent.workspace;
    caller.userId = std::move(userId);
    caller.agentId = agent.id;
    caller.viaGatewayToken = true;
    return caller;
}

Result<Caller> ApiAuthenticator::viaGitBasic(const Request& request, const HostInfo& host) {
    auto password = BasicPassword(request);
    if (!password) {
        return Status::Unauthorized(
            "Missing credentials: use the agent's gateway token as the password");
    }
    // Every refusal reads the same, on both hosts, so it never tells whether an agent exists.
    std::string pathAgent(request.pathParam("agentId"));
    if (host.isAgentHost && pathAgent != host.agentId)
        return Status::Unauthorized("Invalid gateway token");
    return viaGatewayToken(pathAgent, Credential{*password, CredentialSource::kHeader}, request);
}

Result<Caller> ApiAuthenticator::authenticate(const Request& request, const Route& route,
                                              const HostInfo& host) {
    if (route.auth == AuthKind::kGitBasic)
        return viaGitBasic(request, host);
    std::string pathAgent(request.pathParam("agentId"));
    auto credential = FindCredential(request);

    if (host.isAgentHost) {
        // An agent host serves only its own agent: another id in the path does not exist here.
        if (!pathAgent.empty() && pathAgent != host.agentId) {
            return Status::NotFound("Agent not found");
        }
        if (!credential)
            return Status::Unauthorized("Missing gateway token");
        return viaGatewayToken(host.agentId, *credential, request);
    }

    if (!credential)
        return Status::Unauthorized("Missing authorization");
    bool gatewayAllowed = route.auth == AuthKind::kJwtOrGw || route.auth == AuthKind::kGw;
    if (credential->source == CredentialSource::kHeader && LooksLikeJwt(credential->token) &&
        route.auth != AuthKind::kGw) {
        PINFOLD_ASSIGN_OR_RETURN(services::KeyIdentity identity, keys_.verify(credential->token));
        Caller caller;
        caller.workspace = std::move(identity.workspace);
        caller.userId = std::move(identity.userId);
        caller.keyId = std::move(identity.keyId);
        return caller;
    }
    if (gatewayAllowed && !pathAgent.empty()) {
        return viaGatewayToken(pathAgent, *credential, request);
    }
    // A workspace API key is only accepted from the Authorization header, never from a URL.
    return Status::Unauthorized("Invalid token");
}

}  // namespace pinfold::http

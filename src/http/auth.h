// ApiAuthenticator: decides who is calling, from the route's AuthKind and the host.
//
// Management host: routes take a workspace API key (`Authorization: Bearer <JWT>`); routes whose
// Auth column says GW also take the gateway token of the agent named in the path. Agent host
// ({agentId}.<base domain>): only that agent's gateway token, as a Bearer header, `?token=` or
// the `gw_token` cookie, and only for that agent's own routes. Git routes, on either host, take
// HTTP Basic with the gateway token of the agent in the path as the password. Thread-safe.
#pragma once

#include "http/authenticator.h"

namespace pinfold::services {
class AgentService;
class KeyService;
}  // namespace pinfold::services

namespace pinfold::http {

struct Credential;  // a token and where it came from (auth.cpp)

class ApiAuthenticator final : public Authenticator {
  public:
    ApiAuthenticator(services::KeyService& keys, services::AgentService& agents);

    Result<Caller> authenticate(const Request& request, const Route& route,
                                const HostInfo& host) override;

  private:
    Result<Caller> viaGatewayToken(const std::string& agentId, const Credential& credential,
                                   const Request& request);
    Result<Caller> viaGitBasic(const Request& request, const HostInfo& host);

    services::KeyService& keys_;
    services::AgentService& agents_;
};

}  // namespace pinfold::http

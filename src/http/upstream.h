// AgentUpstream: opens a connection to an agent's gateway port, for the agent-host reverse proxy.
//
// Requests on an agent host ({agentId}.<base domain>) whose path matches no route are proxied to
// the agent's engine. The runtime implements this by creating the socket inside the agent's
// network namespace. Called on an I/O thread: must be thread-safe and quick (a local connect).
#pragma once

#include <string>

#include "core/result.h"

namespace pinfold::http {

class AgentUpstream {
  public:
    virtual ~AgentUpstream() = default;

    // A connected, blocking or non-blocking TCP socket fd to the agent's gateway; the server takes
    // ownership and closes it. Errors:
    //   Unavailable - the agent exists but its port did not answer: the client gets
    //                 502 {"error":"Agent is not reachable"}.
    //   anything else (NotFound for an unknown agent, Conflict when it is not running, ...) -
    //                 sent through the status map with its own message.
    virtual Result<int> connectAgent(const std::string& agentId) = 0;
};

}  // namespace pinfold::http

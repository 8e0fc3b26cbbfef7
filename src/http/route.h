// Route: one row of the route table (http/routes.cpp). The router runs the generic checks once,
// from the row, before any handler: method, authentication, body size, JSON well-formedness.
// The OpenAPI document (GET /openapi) is generated from the same rows.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "http/websocket.h"

namespace pinfold::http {

// Who may call a route (the spec's Auth column).
enum class AuthKind {
    kNone,      // public: /healthz, /openapi
    kJwt,       // a workspace API key only (management host)
    kJwtOrGw,   // a workspace API key, or the gateway token of the agent named in the path
    kGw,        // the agent's gateway token only
    kGitBasic,  // HTTP Basic whose password is the gateway token of the agent in the path (git)
};

// The caller, as established by the authenticator before the handler runs.
struct Caller {
    std::string workspace;  // workspace name; empty for kNone routes
    std::string userId;     // the workspace's UUID, as the spec's userId
    std::string keyId;      // the API key's id (jti) when a JWT was used
    std::string agentId;    // set when a gateway token authenticated (the token's agent)
    bool viaGatewayToken = false;
};

struct HandlerContext {
    Request& request;
    Caller caller;
};

using Handler = std::function<Response(HandlerContext&)>;

// A WebSocket route's handler: runs after authentication, before the handshake is answered. Return
// a non-OK Status to refuse (sent as the mapped HTTP error, no upgrade); return OK to accept, and
// keep `session` (it may be used from any thread) for as long as messages should flow.
using WebSocketHandler =
    std::function<Status(HandlerContext&, const std::shared_ptr<WebSocketSession>& session)>;

// Which host a route is mounted on.
enum class HostScope {
    kManagement,  // the management host only
    kBoth,        // management host and every agent host ({agentId}.<base domain>)
    kAgent,       // agent hosts only
};

struct Route {
    Method method;
    // "/v0/agents/{agentId}/restart": a segment "{name}" matches one segment, "{name...}" one or
    // more (joined by '/', for slugs like @owner/name; see http/router.h).
    std::string pattern;
    AuthKind auth;
    HostScope hosts;
    Handler handler;
    std::string name;     // operationId, e.g. "getAgent"
    std::string summary;  // one line for the OpenAPI document
    size_t maxBodyBytes = 64 * 1024;
    bool jsonBody = false;  // the router rejects a body that is not a JSON object (400)
    bool blocking =
        false;  // may take long (exec, restart): run on the worker pool, not an I/O thread
    // Set for a WebSocket endpoint (method kGet): the request must be an Upgrade, and this runs
    // instead of `handler`.
    WebSocketHandler websocket = nullptr;
};

}  // namespace pinfold::http

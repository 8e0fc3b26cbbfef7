// Engine configuration written into an agent's home before its engine starts.
//
// OpenClaw refuses to start without gateway.mode "local" in ~/.openclaw/openclaw.json and
// validates every key strictly, so the file holds only keys its documentation names
// (docs/gateway/config-gateway.md, docs/gateway/config-agents/workspace-and-bootstrap.md). An
// existing file (maybe edited by the user or the engine) is kept; only its gateway token is
// brought up to date.
//
// Thread-safe: functions only touch the given agent's home, as the agent's uid.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "runtime/supervisor.h"

namespace pinfold::runtime {

// {"gateway":{"mode":"local","port":18789,"bind":"loopback","auth":{"mode":"token","token":T}},
//  "agents":{"defaults":{"workspace":"/home/node/clawd/workspace"}}}
std::string OpenClawDefaultConfig(uint16_t port, const std::string& token);

// Sets gateway.auth.token (and auth.mode "token" when no mode is set) in an existing config.
// InvalidArgument when the text is not JSON (JSON5 comments and trailing commas are accepted).
Result<std::string> WithGatewayToken(const std::string& configText, const std::string& token);

// Writes the engine's config file when the engine has one we know how to write (OpenClaw):
// creates it when missing, otherwise updates its token. Ok when there is nothing to do.
Status PrepareEngineConfig(const AgentLaunchSpec& spec);

// Replaces "{port}", "{token}" and "{version}" in `text`.
std::string ExpandPlaceholders(const std::string& text, uint16_t port, const std::string& token,
                               const std::string& version);

}  // namespace pinfold::runtime

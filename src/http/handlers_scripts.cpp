// Handlers for the agent's lifecycle scripts (spec §1 scripts/retry, §12 "Lifecycle scripts").
#include <boost/json/object.hpp>

#include "http/agent_json.h"
#include "http/handler_util.h"
#include "http/routes.h"
#include "services/script_service.h"

namespace pinfold::http {
namespace {

Response RetryScripts(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto outcome, s.scripts.retry(ctx.caller.workspace, AgentIdOf(ctx)));
    return JsonOk({{"success", true},
                   {"message", outcome.message},
                   {"scripts", ScriptsToJson(outcome.scripts)}});
}

}  // namespace

void AddScriptRoutes(std::vector<Route>& routes, Services& s) {
    // No body is read: the scripts come from the agent's own manifest.json.
    Route retry{Method::kPost,
                "/v0/agents/{agentId}/scripts/retry",
                AuthKind::kJwtOrGw,
                HostScope::kBoth,
                BindServices(s, RetryScripts),
                "retryScripts",
                "Run the agent's build script, then its start script, in the background"};
    retry.blocking = true;  // reads manifest.json as the agent
    routes.push_back(retry);
}

}  // namespace pinfold::http

// Handlers for §1 and §3 of the spec: agents, engines, versions, logs, gateway tokens.
// Each one parses, calls one service, and writes JSON.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/text.h"
#include "http/agent_json.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/agent_service.h"

namespace pinfold::http {
namespace {

constexpr size_t kLogLines = 100;

Response ListAgents(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto agents, s.agents.list(ctx.caller.workspace));
    boost::json::array list;
    for (const auto& agent : agents)
        list.push_back(AgentToJson(agent, ctx.caller.userId));
    return JsonOk({{"agents", std::move(list)},
                   {"agentLimit", s.agents.agentLimit()},
                   {"timeCredits", nullptr}});
}

Response CreateAgent(Services& s, HandlerContext& ctx) {
    const boost::json::object& body = ctx.request.json;
    services::CreateAgentInput input;
    PINFOLD_HTTP_ASSIGN(input.templateId, OptionalString(body, "templateId"));
    // A template names the agent when the request does not.
    if (input.templateId) {
        PINFOLD_HTTP_ASSIGN(auto name, OptionalString(body, "name"));
        input.name = name.value_or("");
    } else {
        PINFOLD_HTTP_ASSIGN(input.name, RequiredString(body, "name"));
    }
    PINFOLD_HTTP_ASSIGN(input.description, OptionalString(body, "description"));
    PINFOLD_HTTP_ASSIGN(input.vibe, OptionalString(body, "vibe"));
    PINFOLD_HTTP_ASSIGN(input.emoji, OptionalString(body, "emoji"));
    PINFOLD_HTTP_ASSIGN(input.engine, OptionalString(body, "engine"));
    PINFOLD_HTTP_ASSIGN(auto secretIds, OptionalStringArray(body, "secretIds"));
    if (secretIds)
        input.secretIds = std::move(*secretIds);
    PINFOLD_HTTP_ASSIGN(auto skillCids, OptionalStringArray(body, "skillCids"));
    if (skillCids)
        input.skillCids = std::move(*skillCids);
    PINFOLD_HTTP_ASSIGN(auto agent, s.agents.create(ctx.caller.workspace, input));
    return JsonOk({{"success", true}, {"agent", AgentToJson(agent, ctx.caller.userId)}}, 201);
}

Response GetAgent(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto agent, s.agents.get(ctx.caller.workspace, AgentIdOf(ctx)));
    return JsonOk(AgentDetailToJson(agent, ctx.caller.userId));
}

Response DeleteAgent(Services& s, HandlerContext& ctx) {
    std::string id = AgentIdOf(ctx);
    PINFOLD_HTTP_TRY(s.agents.remove(ctx.caller.workspace, id));
    return JsonOk({{"success", true},
                   {"message", "Agent " + id + " deleted"},
                   {"wasInRegistry", true},
                   {"r2ObjectsDeleted", 0}});
}

Response RestartAgent(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto version, OptionalString(ctx.request.json, "version"));
    PINFOLD_HTTP_ASSIGN(auto outcome,
                        s.agents.restart(ctx.caller.workspace, AgentIdOf(ctx), version));
    boost::json::value previous = nullptr;
    if (outcome.previousProcessId)
        previous = std::to_string(*outcome.previousProcessId);
    return JsonOk({{"success", true},
                   {"message", "Agent " + AgentIdOf(ctx) + " is restarting"},
                   {"previousProcessId", previous}});
}

Response AgentLogs(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto lines, s.agents.logs(ctx.caller.workspace, AgentIdOf(ctx), kLogLines));
    std::string text;
    for (const auto& line : lines) {
        text += FormatIso8601(line.timestampMs);
        text += ' ';
        text += line.level;
        text += ' ';
        text += line.source;
        text += ": ";
        text += ToValidUtf8(line.message);
        text += '\n';
    }
    return JsonOk({{"logs", text}});
}

Response ListEngines(Services& s, HandlerContext& ctx) {
    boost::json::array engines;
    for (const auto& engine : s.agents.engines().list()) {
        engines.push_back(
            {{"id", engine.id}, {"label", engine.label}, {"installed", engine.installed}});
    }
    return JsonOk({{"engines", std::move(engines)}});
}

Response AvailableVersions(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto agent, s.agents.get(ctx.caller.workspace, AgentIdOf(ctx)));
    boost::json::object perEngine;
    boost::json::array current;
    for (const auto& engine : s.agents.engines().list()) {
        boost::json::array versions;
        for (const auto& v : engine.versions)
            versions.push_back(boost::json::string(v));
        if (engine.id == agent.record.engine)
            current = versions;
        perEngine[engine.id] = std::move(versions);
    }
    return JsonOk({{"currentVersion", agent.record.engineVersion},
                   {"availableVersions", std::move(current)},
                   {"engine", agent.record.engine},
                   {"availableVersionsPerEngine", std::move(perEngine)}});
}

Response GetGatewayToken(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto token, s.agents.gatewayToken(ctx.caller.workspace, AgentIdOf(ctx)));
    return JsonOk({{"gatewayToken", token}});
}

Response RotateGatewayToken(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto token,
                        s.agents.rotateGatewayToken(ctx.caller.workspace, AgentIdOf(ctx)));
    return JsonOk({{"success", true}, {"gatewayToken", token}});
}

}  // namespace

void AddAgentRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    using M = Method;
    using A = AuthKind;
    using H = HostScope;
    routes.push_back({M::kGet, "/v0/agents", A::kJwt, H::kManagement, bind(ListAgents),
                      "listAgents", "List the workspace's agents"});
    Route create{M::kPost,
                 "/v0/agents",
                 A::kJwt,
                 H::kManagement,
                 bind(CreateAgent),
                 "createAgent",
                 "Create an agent and start its engine"};
    create.jsonBody = true;
    create.blocking = true;
    routes.push_back(create);
    routes.push_back({M::kGet, "/v0/agents/engines", A::kJwt, H::kManagement, bind(ListEngines),
                      "listEngines", "Engines this server can run"});
    routes.push_back({M::kGet, "/v0/agents/{agentId}", A::kJwtOrGw, H::kBoth, bind(GetAgent),
                      "getAgent", "An agent with its process status"});
    Route remove{M::kDelete,
                 "/v0/agents/{agentId}",
                 A::kJwt,
                 H::kManagement,
                 bind(DeleteAgent),
                 "deleteAgent",
                 "Stop an agent and delete it with its files"};
    remove.blocking = true;
    routes.push_back(remove);
    Route restart{
        M::kPost,       "/v0/agents/{agentId}/restart", A::kJwtOrGw, H::kBoth, bind(RestartAgent),
        "restartAgent", "Restart the agent's engine"};
    restart.jsonBody = true;
    restart.blocking = true;
    routes.push_back(restart);
    routes.push_back({M::kGet, "/v0/agents/{agentId}/logs", A::kJwtOrGw, H::kBoth, bind(AgentLogs),
                      "getAgentLogs", "The agent's last 100 log lines"});
    routes.push_back({M::kGet, "/v0/agents/{agentId}/available-agent-versions", A::kJwtOrGw,
                      H::kBoth, bind(AvailableVersions), "getAvailableAgentVersions",
                      "Engine versions the agent can run"});
    routes.push_back({M::kGet, "/v0/agents/{agentId}/gateway-token", A::kJwt, H::kManagement,
                      bind(GetGatewayToken), "getGatewayToken", "The agent's gateway token"});
    Route rotate{M::kPost,
                 "/v0/agents/{agentId}/gateway-token/rotate",
                 A::kJwt,
                 H::kManagement,
                 bind(RotateGatewayToken),
                 "rotateGatewayToken",
                 "Replace the gateway token; the old one stops working at once"};
    rotate.jsonBody = true;
    rotate.blocking = true;
    routes.push_back(rotate);
}

}  // namespace pinfold::http

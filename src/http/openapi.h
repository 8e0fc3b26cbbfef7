// The OpenAPI 3.1 document of the route table (served at GET /openapi), generated from the same
// rows the router uses, so the document cannot drift from what the server answers.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/route.h"

namespace pinfold::http {

struct OpenApiInfo {
    std::string title = "Pinfold Agents API";
    std::string version = "0";
    std::string description =
        "Self-hosted Agents API. Errors are {\"error\": \"<message>\"}. Agent sub-routes are also "
        "served on each agent's own host, {agentId}.<base domain>.";
};

// One path item per pattern, one operation per method: operationId = route name, summary, path
// parameters from the `{name}` segments, security from AuthKind (bearerAuth = workspace API key,
// a JWT; gatewayToken = the agent's gateway token as Bearer, `?token=` or the gw_token cookie), a
// JSON object requestBody for jsonBody routes, and x-pinfold-hosts / x-pinfold-websocket
// extensions. Serialised JSON, members in table order.
std::string BuildOpenApi(const std::vector<Route>& routes, const OpenApiInfo& info = {});

// Differences between a document and the table, one line each, empty when they agree:
//   "missing: GET /v0/agents (listAgents)"   a row without its operation (or another operationId)
//   "extra: DELETE /v0/foo (deleteFoo)"      an operation no row has
//   "invalid: <reason>"                      the document is not an OpenAPI object
std::vector<std::string> OpenApiMismatches(std::string_view document,
                                           const std::vector<Route>& routes);

}  // namespace pinfold::http

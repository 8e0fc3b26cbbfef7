// The route table: every endpoint of the API, one row each (see http/route.h for the columns).
// The router, the authenticator and the OpenAPI document all read these rows.
#pragma once

#include <cstdint>
#include <vector>

#include "http/route.h"
#include "http/services.h"

namespace pinfold::http {

std::vector<Route> BuildRoutes(Services& services);

// Per-area builders, each in its handlers_<area>.cpp; BuildRoutes concatenates them.
void AddSystemRoutes(std::vector<Route>& routes);
void AddAgentRoutes(std::vector<Route>& routes, Services& services);
void AddConsoleRoutes(std::vector<Route>& routes, Services& services);
void AddSnapshotRoutes(std::vector<Route>& routes, Services& services);
void AddGitRoutes(std::vector<Route>& routes, Services& services);
void AddSecretRoutes(std::vector<Route>& routes, Services& services);
void AddSkillRoutes(std::vector<Route>& routes, Services& services);
void AddTemplateRoutes(std::vector<Route>& routes, Services& services);
void AddScriptRoutes(std::vector<Route>& routes, Services& services);

// The largest git push (its pack) accepted; the server's own body cap must allow it.
inline constexpr uint64_t kGitPushMaxBodyBytes = 512ull * 1024 * 1024;

}  // namespace pinfold::http

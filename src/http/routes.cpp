#include "http/routes.h"

#include <memory>

#include "http/handler_util.h"
#include "http/openapi.h"

namespace pinfold::http {

void AddSystemRoutes(std::vector<Route>& routes) {
    routes.push_back({Method::kGet, "/healthz", AuthKind::kNone, HostScope::kManagement,
                      [](HandlerContext&) { return Response::Json(200, R"({"ok":true})"); },
                      "health", "Liveness of the server"});
}

std::vector<Route> BuildRoutes(Services& services) {
    std::vector<Route> routes;
    AddSystemRoutes(routes);
    AddAgentRoutes(routes, services);
    AddConsoleRoutes(routes, services);
    AddSnapshotRoutes(routes, services);
    AddGitRoutes(routes, services);
    AddSecretRoutes(routes, services);
    AddSkillRoutes(routes, services);
    AddTemplateRoutes(routes, services);
    AddScriptRoutes(routes, services);

    // The document describes every row, itself included, so it is built after the table.
    auto document = std::make_shared<std::string>();
    routes.push_back({Method::kGet, "/openapi", AuthKind::kNone, HostScope::kManagement,
                      [document](HandlerContext&) { return Response::Json(200, *document); },
                      "getOpenApi", "This OpenAPI 3.1 document"});
    *document = BuildOpenApi(routes);
    return routes;
}

}  // namespace pinfold::http

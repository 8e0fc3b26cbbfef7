// Handlers for §4 of the spec: the workspace's secrets vault and attaching secrets to agents.
// A secret's value is never written to a response; a variable's is, as `value`.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/clock.h"
#include "http/handler_util.h"
#include "http/json_fields.h"
#include "http/routes.h"
#include "services/secret_service.h"

namespace pinfold::http {
namespace {

// Above the service's 64 KiB value limit, so an oversize value gets its 400 with the field.
constexpr size_t kMaxSecretBodyBytes = 256 << 10;

boost::json::object SecretToJson(const services::SecretView& v, const std::string& userId) {
    const store::SecretRecord& r = v.record;
    boost::json::object o{{"id", r.id},
                          {"userId", userId},
                          {"name", r.name},
                          {"type", r.type},
                          {"createdAt", FormatIso8601(r.createdAtMs)},
                          {"updatedAt", FormatIso8601(r.updatedAtMs)}};
    if (v.value)
        o["value"] = *v.value;
    return o;
}

Response ListSecrets(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto secrets, s.secrets.list(ctx.caller.workspace));
    boost::json::array list;
    for (const auto& v : secrets) {
        boost::json::object o = SecretToJson(v, ctx.caller.userId);
        boost::json::array agents;
        for (const auto& a : v.agents)
            agents.push_back(boost::json::object{{"agentId", a.agentId}, {"name", a.name}});
        o["agents"] = std::move(agents);
        list.push_back(std::move(o));
    }
    return JsonOk({{"secrets", std::move(list)}, {"secretLimit", s.secrets.secretLimit()}});
}

Response CreateSecret(Services& s, HandlerContext& ctx) {
    const boost::json::object& body = ctx.request.json;
    services::SecretInput input;
    PINFOLD_HTTP_ASSIGN(input.name, RequiredString(body, "name"));
    PINFOLD_HTTP_ASSIGN(input.value, RequiredString(body, "value"));
    PINFOLD_HTTP_ASSIGN(auto type, OptionalString(body, "type"));
    if (type)
        input.type = *type;
    PINFOLD_HTTP_ASSIGN(auto secret, s.secrets.create(ctx.caller.workspace, input));
    return JsonOk({{"success", true}, {"secret", SecretToJson(secret, ctx.caller.userId)}}, 201);
}

Response UpdateSecret(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto value, RequiredString(ctx.request.json, "value"));
    PINFOLD_HTTP_ASSIGN(auto secret,
                        s.secrets.update(ctx.caller.workspace,
                                         std::string(ctx.request.pathParam("secretId")), value));
    return JsonOk({{"success", true}, {"secret", SecretToJson(secret, ctx.caller.userId)}});
}

Response DeleteSecret(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_TRY(
        s.secrets.remove(ctx.caller.workspace, std::string(ctx.request.pathParam("secretId"))));
    return JsonOk({{"success", true}});
}

Response AttachSecrets(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_ASSIGN(auto ids, OptionalStringArray(ctx.request.json, "secretIds"));
    if (!ids)
        return Response::Error(400, "Validation failed: secretIds is required");
    PINFOLD_HTTP_ASSIGN(auto attached,
                        s.secrets.attach(ctx.caller.workspace, AgentIdOf(ctx), *ids));
    return JsonOk({{"success", true},
                   {"attached", attached},
                   {"message", "Restart the agent for its engine to get the secrets"}});
}

Response DetachSecret(Services& s, HandlerContext& ctx) {
    PINFOLD_HTTP_TRY(s.secrets.detach(ctx.caller.workspace, AgentIdOf(ctx),
                                      std::string(ctx.request.pathParam("secretId"))));
    return JsonOk({{"success", true},
                   {"message", "Secret detached; the engine keeps it until the agent restarts"}});
}

}  // namespace

void AddSecretRoutes(std::vector<Route>& routes, Services& s) {
    auto bind = [&s](ServiceHandler fn) { return BindServices(s, fn); };
    auto add = [&](Method method, const char* pattern, AuthKind auth, HostScope hosts,
                   ServiceHandler fn, const char* name, const char* summary) -> Route& {
        Route route{method, pattern, auth, hosts, bind(fn), name, summary};
        route.jsonBody = method == Method::kPost || method == Method::kPut;
        routes.push_back(route);
        return routes.back();
    };
    using A = AuthKind;
    using H = HostScope;
    add(Method::kGet, "/v0/secrets", A::kJwt, H::kManagement, ListSecrets, "listSecrets",
        "The workspace's secrets (values of variables only) and the agents they are attached to");
    add(Method::kPost, "/v0/secrets", A::kJwt, H::kManagement, CreateSecret, "createSecret",
        "Store a secret or variable ({name, value, type?}); 201")
        .maxBodyBytes = kMaxSecretBodyBytes;
    add(Method::kPut, "/v0/secrets/{secretId}", A::kJwt, H::kManagement, UpdateSecret,
        "updateSecret", "Replace a secret's value ({value}); agents get it when they restart")
        .maxBodyBytes = kMaxSecretBodyBytes;
    add(Method::kDelete, "/v0/secrets/{secretId}", A::kJwt, H::kManagement, DeleteSecret,
        "deleteSecret", "Delete a secret that no agent has attached");
    add(Method::kPost, "/v0/agents/{agentId}/secrets", A::kJwtOrGw, H::kBoth, AttachSecrets,
        "attachSecrets",
        "Attach secrets to the agent ({secretIds}); they reach its engine at the "
        "next restart");
    add(Method::kDelete, "/v0/agents/{agentId}/secrets/{secretId}", A::kJwtOrGw, H::kBoth,
        DetachSecret, "detachSecret", "Detach a secret from the agent");
}

}  // namespace pinfold::http

#include "http/openapi.h"

#include <boost/json.hpp>
#include <map>
#include <set>

namespace pinfold::http {
namespace {

namespace json = boost::json;

std::string LowerMethod(Method m) {
    std::string name(MethodName(m));
    for (char& c : name)
        c = static_cast<char>(c - 'A' + 'a');
    return name;
}

std::string_view HostsName(HostScope scope) {
    switch (scope) {
        case HostScope::kManagement:
            return "management";
        case HostScope::kBoth:
            return "both";
        case HostScope::kAgent:
            return "agent";
    }
    return "management";
}

struct PathParameter {
    std::string name;
    bool rest = false;  // {name...}: may span several segments
};

std::vector<PathParameter> PathParameters(std::string_view pattern) {
    std::vector<PathParameter> params;
    size_t pos = 0;
    while ((pos = pattern.find('{', pos)) != std::string_view::npos) {
        size_t end = pattern.find('}', pos);
        if (end == std::string_view::npos)
            break;
        std::string_view name = pattern.substr(pos + 1, end - pos - 1);
        bool rest = name.ends_with("...");
        if (rest)
            name.remove_suffix(3);
        params.push_back({std::string(name), rest});
        pos = end + 1;
    }
    return params;
}

// The router's pattern as an OpenAPI path template: `{name...}` becomes `{name}`.
std::string TemplatePath(std::string_view pattern) {
    std::string path(pattern);
    for (size_t pos = 0; (pos = path.find("...}", pos)) != std::string::npos;)
        path.erase(pos, 3);
    return path;
}

json::array Security(AuthKind auth) {
    auto scheme = [](std::string_view name) {
        json::object o;
        o[name] = json::array();
        return o;
    };
    json::array gateway{scheme("gatewayToken"), scheme("gatewayTokenQuery"),
                        scheme("gatewayTokenCookie")};
    switch (auth) {
        case AuthKind::kNone:
            return json::array();
        case AuthKind::kJwt:
            return json::array{scheme("bearerAuth")};
        case AuthKind::kJwtOrGw: {
            json::array both{scheme("bearerAuth")};
            for (auto& g : gateway)
                both.push_back(g);
            return both;
        }
        case AuthKind::kGw:
            return gateway;
        case AuthKind::kGitBasic:
            return json::array{scheme("gitBasic")};
    }
    return json::array();
}

json::object JsonContent(json::value schema) {
    json::object content;
    content["application/json"] = json::object{{"schema", std::move(schema)}};
    return content;
}

json::object Operation(const Route& route) {
    json::object op;
    op["operationId"] = route.name;
    op["summary"] = route.summary;
    json::array parameters;
    for (const PathParameter& param : PathParameters(route.pattern)) {
        json::object p{{"name", param.name},
                       {"in", "path"},
                       {"required", true},
                       {"schema", json::object{{"type", "string"}}}};
        if (param.rest)
            p["description"] = "May contain '/', raw or encoded as %2F (a slug like @owner/name)";
        parameters.push_back(std::move(p));
    }
    if (!parameters.empty())
        op["parameters"] = std::move(parameters);
    op["security"] = Security(route.auth);
    if (route.jsonBody) {
        op["requestBody"] = json::object{
            {"required", false},
            {"content", JsonContent(json::object{{"type", "object"}})},
        };
    }
    json::object responses;
    if (route.websocket) {
        responses["101"] = json::object{{"description", "Switching Protocols (WebSocket)"}};
    } else {
        responses["200"] = json::object{
            {"description", "Success"},
            {"content", JsonContent(json::object{{"type", "object"}})},
        };
    }
    responses["default"] = json::object{
        {"description", "Error"},
        {"content", JsonContent(json::object{{"$ref", "#/components/schemas/Error"}})},
    };
    op["responses"] = std::move(responses);
    op["x-pinfold-hosts"] = HostsName(route.hosts);
    if (route.websocket)
        op["x-pinfold-websocket"] = true;
    return op;
}

json::object Components() {
    json::object schemes;
    schemes["bearerAuth"] = json::object{
        {"type", "http"},
        {"scheme", "bearer"},
        {"bearerFormat", "JWT"},
        {"description", "A workspace API key (pinfold keys create)"},
    };
    schemes["gatewayToken"] = json::object{
        {"type", "http"},
        {"scheme", "bearer"},
        {"description", "The agent's gateway token"},
    };
    schemes["gatewayTokenQuery"] =
        json::object{{"type", "apiKey"},
                     {"in", "query"},
                     {"name", "token"},
                     {"description", "The agent's gateway token in the query"}};
    schemes["gatewayTokenCookie"] =
        json::object{{"type", "apiKey"},
                     {"in", "cookie"},
                     {"name", "gw_token"},
                     {"description", "The agent's gateway token in a cookie"}};
    schemes["gitBasic"] = json::object{
        {"type", "http"},
        {"scheme", "basic"},
        {"description", "Git smart HTTP: any user name, the agent's gateway token as password"},
    };
    json::object error{
        {"type", "object"},
        {"properties", json::object{{"error", json::object{{"type", "string"}}}}},
        {"required", json::array{"error"}},
    };
    return json::object{{"securitySchemes", std::move(schemes)},
                        {"schemas", json::object{{"Error", std::move(error)}}}};
}

bool IsOperationKey(std::string_view key) {
    static const std::set<std::string_view> kMethods = {"get",     "put",  "post",  "delete",
                                                        "options", "head", "patch", "trace"};
    return kMethods.count(key) != 0;
}

std::string Upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

}  // namespace

std::string BuildOpenApi(const std::vector<Route>& routes, const OpenApiInfo& info) {
    json::object paths;
    for (const Route& route : routes) {
        if (route.method == Method::kOther)
            continue;
        json::value& slot = paths[TemplatePath(route.pattern)];
        if (!slot.is_object())
            slot.emplace_object();
        json::object& item = slot.as_object();
        std::string method = LowerMethod(route.method);
        // The same method and pattern on two hosts (two rows) is one operation: the first row's.
        if (item.contains(method)) {
            item[method].as_object()["x-pinfold-hosts"] = "both";
            continue;
        }
        item[method] = Operation(route);
    }
    json::object doc;
    doc["openapi"] = "3.1.0";
    doc["info"] = json::object{
        {"title", info.title}, {"version", info.version}, {"description", info.description}};
    doc["paths"] = std::move(paths);
    doc["components"] = Components();
    return json::serialize(doc);
}

std::vector<std::string> OpenApiMismatches(std::string_view document,
                                           const std::vector<Route>& routes) {
    std::vector<std::string> out;
    json::error_code ec;
    json::value doc = json::parse(document, ec);
    if (ec || !doc.is_object() || !doc.as_object().contains("paths") ||
        !doc.as_object().at("paths").is_object()) {
        out.push_back("invalid: not a JSON object with \"paths\"");
        return out;
    }
    const json::object& paths = doc.as_object().at("paths").as_object();

    std::map<std::pair<std::string, std::string>, std::string> expected;  // (pattern, method)
    for (const Route& route : routes) {
        if (route.method == Method::kOther)
            continue;
        expected.emplace(std::make_pair(TemplatePath(route.pattern), LowerMethod(route.method)),
                         route.name);
    }
    for (const auto& [key, name] : expected) {
        const auto& [pattern, method] = key;
        const json::value* op = nullptr;
        if (auto it = paths.find(pattern); it != paths.end() && it->value().is_object()) {
            if (auto m = it->value().as_object().find(method); m != it->value().as_object().end()) {
                op = &m->value();
            }
        }
        const json::value* id =
            op && op->is_object() ? op->as_object().if_contains("operationId") : nullptr;
        if (!id || !id->is_string() || id->as_string() != name) {
            out.push_back("missing: " + Upper(method) + " " + pattern + " (" + name + ")");
        }
    }
    for (const auto& path : paths) {
        if (!path.value().is_object())
            continue;
        std::string pattern(path.key());
        for (const auto& op : path.value().as_object()) {
            if (!IsOperationKey(op.key()))
                continue;
            std::string method(op.key());
            if (expected.count({pattern, method}))
                continue;
            std::string id;
            if (op.value().is_object()) {
                if (auto* v = op.value().as_object().if_contains("operationId");
                    v && v->is_string()) {
                    id = std::string(v->as_string());
                }
            }
            out.push_back("extra: " + Upper(method) + " " + pattern + " (" + id + ")");
        }
    }
    return out;
}

}  // namespace pinfold::http

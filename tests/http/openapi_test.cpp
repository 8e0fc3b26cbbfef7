#include "http/openapi.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pinfold::http {
namespace {

namespace json = boost::json;

Route Row(Method method, std::string pattern, std::string name, AuthKind auth,
          HostScope hosts = HostScope::kManagement, bool jsonBody = false) {
    Route r{method,
            std::move(pattern),
            auth,
            hosts,
            [](HandlerContext&) { return Response::Json(200, "{}"); },
            std::move(name),
            ""};
    r.summary = "Summary of " + r.name;
    r.jsonBody = jsonBody;
    return r;
}

std::vector<Route> Table() {
    std::vector<Route> t{
        Row(Method::kGet, "/healthz", "health", AuthKind::kNone),
        Row(Method::kGet, "/v0/agents", "listAgents", AuthKind::kJwt),
        Row(Method::kPost, "/v0/agents", "createAgent", AuthKind::kJwt, HostScope::kManagement,
            true),
        Row(Method::kGet, "/v0/agents/{agentId}", "getAgent", AuthKind::kJwtOrGw, HostScope::kBoth),
        Row(Method::kDelete, "/v0/agents/{agentId}/secrets/{secretId}", "detachSecret",
            AuthKind::kJwt),
        Row(Method::kPost, "/v0/agents/{agentId}/platform/token", "platformToken", AuthKind::kGw,
            HostScope::kAgent, true),
    };
    Route logs = Row(Method::kGet, "/v0/agents/{agentId}/logs/stream", "streamLogs",
                     AuthKind::kJwtOrGw, HostScope::kBoth);
    logs.handler = nullptr;
    logs.websocket = [](HandlerContext&, const std::shared_ptr<WebSocketSession>&) {
        return Status::Ok();
    };
    t.push_back(std::move(logs));
    return t;
}

std::string Names(const json::array& a, std::string_view field) {
    std::string out;
    for (const auto& v : a) {
        if (!out.empty())
            out += ",";
        if (field.empty()) {
            for (const auto& kv : v.as_object())
                out += std::string(kv.key());
        } else {
            out += std::string(v.as_object().at(field).as_string());
        }
    }
    return out;
}

// One line per operation: what a reader of the document learns about it.
std::string Render(const std::string& document) {
    json::value doc = json::parse(document);
    std::string out;
    for (const auto& path : doc.at("paths").as_object()) {
        for (const auto& op : path.value().as_object()) {
            const json::object& o = op.value().as_object();
            out += std::string(op.key()) + " " + std::string(path.key()) + " " +
                   std::string(o.at("operationId").as_string());
            if (o.contains("parameters"))
                out += " params=" + Names(o.at("parameters").as_array(), "name");
            out += " security=" + Names(o.at("security").as_array(), "");
            if (o.contains("requestBody"))
                out += " body";
            out += " hosts=" + std::string(o.at("x-pinfold-hosts").as_string());
            if (o.contains("x-pinfold-websocket"))
                out += " websocket";
            out += "\n";
        }
    }
    return out;
}

TEST(OpenApi, DescribesEveryRoute) {
    std::string doc = BuildOpenApi(Table());
    EXPECT_EQ(Render(doc),
              "get /healthz health security= hosts=management\n"
              "get /v0/agents listAgents security=bearerAuth hosts=management\n"
              "post /v0/agents createAgent security=bearerAuth body hosts=management\n"
              "get /v0/agents/{agentId} getAgent params=agentId "
              "security=bearerAuth,gatewayToken,gatewayTokenQuery,gatewayTokenCookie hosts=both\n"
              "delete /v0/agents/{agentId}/secrets/{secretId} detachSecret params=agentId,secretId "
              "security=bearerAuth hosts=management\n"
              "post /v0/agents/{agentId}/platform/token platformToken params=agentId "
              "security=gatewayToken,gatewayTokenQuery,gatewayTokenCookie body hosts=agent\n"
              "get /v0/agents/{agentId}/logs/stream streamLogs params=agentId "
              "security=bearerAuth,gatewayToken,gatewayTokenQuery,gatewayTokenCookie hosts=both "
              "websocket\n");
}

TEST(OpenApi, DocumentHeaderAndComponents) {
    OpenApiInfo info;
    info.title = "Test API";
    info.version = "9";
    json::value doc = json::parse(BuildOpenApi(Table(), info));
    EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
    EXPECT_EQ(doc.at("info").at("title").as_string(), "Test API");
    EXPECT_EQ(doc.at("info").at("version").as_string(), "9");
    const auto& schemes = doc.at("components").at("securitySchemes");
    EXPECT_EQ(schemes.at("bearerAuth").at("bearerFormat").as_string(), "JWT");
    EXPECT_EQ(schemes.at("gatewayTokenQuery").at("name").as_string(), "token");
    EXPECT_EQ(schemes.at("gatewayTokenCookie").at("name").as_string(), "gw_token");
    const auto& op = doc.at("paths").at("/v0/agents/{agentId}").at("get");
    EXPECT_EQ(op.at("summary").as_string(), "Summary of getAgent");
    EXPECT_EQ(json::serialize(op.at("parameters")),
              R"([{"name":"agentId","in":"path","required":true,"schema":{"type":"string"}}])");
    EXPECT_EQ(json::serialize(doc.at("components").at("schemas").at("Error")),
              R"({"type":"object","properties":{"error":{"type":"string"}},"required":["error"]})");
}

TEST(OpenApi, ARestParameterIsAPlainTemplateWithADescription) {
    std::vector<Route> table{
        Row(Method::kGet, "/v0/clawhub/{slug...}", "getHubSkill", AuthKind::kJwt),
        Row(Method::kPost, "/v0/clawhub/{slug...}/install", "installHubSkill", AuthKind::kJwt),
    };
    std::string document = BuildOpenApi(table);
    EXPECT_EQ(Render(document),
              "get /v0/clawhub/{slug} getHubSkill params=slug security=bearerAuth "
              "hosts=management\n"
              "post /v0/clawhub/{slug}/install installHubSkill params=slug security=bearerAuth "
              "hosts=management\n");
    json::value doc = json::parse(document);
    EXPECT_EQ(
        json::serialize(doc.at("paths").at("/v0/clawhub/{slug}").at("get").at("parameters")),
        R"([{"name":"slug","in":"path","required":true,"schema":{"type":"string"},)"
        R"json("description":"May contain '/', raw or encoded as %2F (a slug like @owner/name)"}])json");
    EXPECT_TRUE(OpenApiMismatches(document, table).empty());
}

TEST(OpenApi, RouterAndDocumentAgree) {
    std::vector<Route> table = Table();
    EXPECT_TRUE(OpenApiMismatches(BuildOpenApi(table), table).empty());
}

TEST(OpenApi, MismatchesNameWhatDiffers) {
    std::vector<Route> table = Table();
    std::string doc = BuildOpenApi(table);
    table.erase(table.begin() + 1);  // listAgents: now only in the document
    table.push_back(Row(Method::kPut, "/v0/config", "putConfig", AuthKind::kJwt));
    table[0].name = "healthz";
    std::vector<std::string> expected{
        "missing: GET /healthz (healthz)",
        "missing: PUT /v0/config (putConfig)",
        "extra: GET /v0/agents (listAgents)",
    };
    EXPECT_EQ(OpenApiMismatches(doc, table), expected);
    EXPECT_EQ(OpenApiMismatches("[1]", table),
              std::vector<std::string>{"invalid: not a JSON object with \"paths\""});
}

}  // namespace
}  // namespace pinfold::http

#include "api/api_fixture.h"

#include <chrono>
#include <thread>

namespace pinfold::testing {

std::string ApiResponse::error() const {
    if (!json.is_object())
        return "";
    auto* e = json.as_object().if_contains("error");
    return e && e->is_string() ? std::string(e->get_string()) : "";
}

ApiClient::ApiClient(uint16_t port, std::string bearer, std::string host)
    : port_(port), bearer_(std::move(bearer)), host_(std::move(host)) {}

ApiResponse ApiClient::send(http::Method method, const std::string& target, const std::string& body,
                            std::map<std::string, std::string> headers) {
    if (!client_) {
        auto client = http::HttpClient::Connect("http://127.0.0.1:" + std::to_string(port_));
        if (!client.ok())
            throw std::runtime_error(client.status().ToString());
        client_ = std::move(*client);
    }
    if (!bearer_.empty() && !headers.count("Authorization")) {
        headers["Authorization"] = "Bearer " + bearer_;
    }
    if (!host_.empty())
        headers["Host"] = host_;
    if (!headers.count("Content-Type"))
        headers["Content-Type"] = "application/json";
    auto response = client_->request(method, target, body, headers);
    if (!response.ok())
        throw std::runtime_error(response.status().ToString());
    ApiResponse out;
    out.status = response->status;
    out.body = std::move(response->body);
    out.headers = std::move(response->headers);
    boost::system::error_code ec;
    out.json = boost::json::parse(out.body, ec);
    if (ec)
        out.json = nullptr;
    return out;
}

ApiResponse ApiClient::get(const std::string& target, std::map<std::string, std::string> headers) {
    return send(http::Method::kGet, target, "", std::move(headers));
}
ApiResponse ApiClient::post(const std::string& target, const std::string& body,
                            std::map<std::string, std::string> headers) {
    return send(http::Method::kPost, target, body, std::move(headers));
}
ApiResponse ApiClient::post(const std::string& target, const boost::json::value& body) {
    return send(http::Method::kPost, target, boost::json::serialize(body), {});
}
ApiResponse ApiClient::put(const std::string& target, const boost::json::value& body) {
    return send(http::Method::kPut, target, boost::json::serialize(body), {});
}
ApiResponse ApiClient::del(const std::string& target) {
    return send(http::Method::kDelete, target, "", {});
}

void ApiTest::SetUp() {
    server = std::make_unique<ServerProcess>(serverOptions());
    jwt = server->createKey("default");
    api = std::make_unique<ApiClient>(server->port(), jwt);
    anonymous = std::make_unique<ApiClient>(server->port(), "");
}

std::string ApiTest::createRunningAgent(const std::string& name, const std::string& engine) {
    auto created = api->post("/v0/agents", boost::json::object{{"name", name}, {"engine", engine}});
    if (created.status != 201) {
        ADD_FAILURE() << "create failed: " << created.status << " " << created.body;
        return "";
    }
    std::string id(created.json.at("agent").at("agentId").as_string());
    waitForStatus(id, "running");
    return id;
}

void ApiTest::waitForStatus(const std::string& agentId, const std::string& status, int seconds) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        auto r = api->get("/v0/agents/" + agentId);
        if (r.status == 200) {
            last = std::string(r.json.at("agent").at("status").as_string());
            if (last == status)
                return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "agent " << agentId << " did not reach " << status << " (last: " << last
                  << ")\nagent logs: " << api->get("/v0/agents/" + agentId + "/logs").body
                  << "\nserver log:\n"
                  << server->log();
}

std::string ApiTest::gatewayToken(const std::string& agentId) {
    auto r = api->get("/v0/agents/" + agentId + "/gateway-token");
    return r.status == 200 ? std::string(r.json.at("gatewayToken").as_string()) : "";
}

std::string ApiTest::agentHost(const std::string& agentId) const {
    return agentId + ".agents.localhost:" + std::to_string(server->port());
}

ApiResponse ApiTest::exec(const std::string& agentId, const std::string& command,
                          boost::json::object extra) {
    extra["command"] = command;
    return api->post("/v0/agents/" + agentId + "/console/exec", extra);
}

}  // namespace pinfold::testing

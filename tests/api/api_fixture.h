// ApiTest: a fixture that starts the real `pinfold serve` with the test engines and talks to it
// over HTTP, as a user would. Each test gets a fresh server and data folder.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "http/client.h"
#include "support/server_process.h"

namespace pinfold::testing {

struct ApiResponse {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
    boost::json::value json;  // null when the body is not JSON

    std::string error() const;  // the "error" field, or "" when absent
};

// Talks to one server as one caller (a JWT, a gateway token, or nobody).
class ApiClient {
  public:
    ApiClient(uint16_t port, std::string bearer, std::string host = "");

    ApiResponse get(const std::string& target, std::map<std::string, std::string> headers = {});
    ApiResponse post(const std::string& target, const std::string& body,
                     std::map<std::string, std::string> headers = {});
    ApiResponse post(const std::string& target, const boost::json::value& body);
    ApiResponse put(const std::string& target, const boost::json::value& body);
    ApiResponse del(const std::string& target);
    ApiResponse send(http::Method method, const std::string& target, const std::string& body,
                     std::map<std::string, std::string> headers);

  private:
    uint16_t port_;
    std::string bearer_;
    std::string host_;
    std::unique_ptr<http::HttpClient> client_;
};

class ApiTest : public ::testing::Test {
  protected:
    void SetUp() override;
    virtual ServerOptions serverOptions() { return {}; }

    // Creates an agent with the test HTTP engine and waits until it is running; returns its id.
    std::string createRunningAgent(const std::string& name = "Test agent",
                                   const std::string& engine = "test-http");
    // Polls GET /v0/agents/{id} until status is `status` (at most `seconds`).
    void waitForStatus(const std::string& agentId, const std::string& status, int seconds = 30);
    std::string gatewayToken(const std::string& agentId);
    // The agent's own host, "<id>.agents.localhost:<port>".
    std::string agentHost(const std::string& agentId) const;
    ApiResponse exec(const std::string& agentId, const std::string& command,
                     boost::json::object extra = {});

    std::unique_ptr<ServerProcess> server;
    std::string jwt;
    std::unique_ptr<ApiClient> api;  // the "default" workspace's key
    std::unique_ptr<ApiClient> anonymous;
};

}  // namespace pinfold::testing

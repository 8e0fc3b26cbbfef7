#include "cli/server_call.h"

#include <boost/json.hpp>
#include <iostream>

#include "http/client.h"

namespace pinfold::cli {

namespace json = boost::json;

std::string PlainText(const json::value& v) {
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_null())
        return "";
    return json::serialize(v);
}

void ServerCall::fail(int code, const std::string& message) const {
    std::cerr << "pinfold " << command << ": " << message << "\n";
    *exitCode = code;
}

std::optional<std::string> ServerCall::raw(http::Method method, const std::string& target,
                                           const std::string& body,
                                           const std::string& contentType) const {
    if (jwt.empty()) {
        fail(2, "set PINFOLD_JWT (or --jwt) to an API key");
        return std::nullopt;
    }
    // "localhost:8080" is as good as "http://localhost:8080".
    std::string url = host.find("://") == std::string::npos ? "http://" + host : host;
    auto client = http::HttpClient::Connect(url);
    if (!client.ok()) {
        fail(1, client.status().message());
        return std::nullopt;
    }
    auto response = (*client)->request(
        method, target, body, {{"Authorization", "Bearer " + jwt}, {"Content-Type", contentType}});
    if (!response.ok()) {
        fail(1, response.status().message());
        return std::nullopt;
    }
    if (response->status >= 400) {
        boost::system::error_code ec;
        json::value parsed = json::parse(response->body, ec);
        std::string message = !ec && parsed.is_object() && parsed.as_object().contains("error")
                                  ? PlainText(parsed.at("error"))
                                  : response->body;
        fail(1, std::to_string(response->status) + " " + message);
        return std::nullopt;
    }
    return std::move(response->body);
}

std::optional<json::value> ServerCall::json(http::Method method, const std::string& target,
                                            const std::string& body) const {
    std::optional<std::string> text = raw(method, target, body, "application/json");
    if (!text)
        return std::nullopt;
    boost::system::error_code ec;
    json::value parsed = json::parse(*text, ec);
    if (ec) {
        fail(1, "the server sent a body that is not JSON");
        return std::nullopt;
    }
    return parsed;
}

}  // namespace pinfold::cli

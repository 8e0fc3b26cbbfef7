// Request and Response: Pinfold's own view of an HTTP exchange, free of Beast types, so handlers
// and their tests never include Beast or Asio. http/server.cpp converts at the edge.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pinfold::http {

enum class Method { kGet, kPost, kPut, kDelete, kPatch, kHead, kOptions, kOther };

std::string_view MethodName(Method m);

// Decodes `a=1&b=x%20y&c` (no leading '?'): '+' is a space, %XY a byte, a broken escape stays as
// sent, a key without '=' has an empty value. The server fills Request::query with it.
std::multimap<std::string, std::string> ParseQueryString(std::string_view query);

struct Request {
    Method method = Method::kGet;
    std::string target;  // as sent: path plus query, still percent-encoded
    std::string path;    // percent-decoded path, without the query
    std::multimap<std::string, std::string> query;  // decoded query parameters
    std::map<std::string, std::string> headers;  // names lower-cased; repeated ones joined by ", "
    std::string body;
    std::string remoteAddress;  // peer IP, for logs and X-Forwarded-For
    std::string requestId;      // assigned by the server, echoed as X-Request-Id

    // Filled by the router from the route pattern: "/v0/agents/{agentId}" -> {"agentId":
    // "x1234abc"}.
    std::map<std::string, std::string> pathParams;

    // The parsed body, for routes marked jsonBody. An empty body and the literal `null` (sent by
    // the official CLI) both become an empty object.
    boost::json::object json;

    std::optional<std::string> header(std::string_view lowerName) const;
    std::optional<std::string> queryParam(std::string_view name) const;
    std::optional<std::string> cookie(std::string_view name) const;
    std::string_view pathParam(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // extra headers

    static Response Json(int status, std::string body);
    static Response Error(int status, std::string_view message);  // {"error": message}
};

}  // namespace pinfold::http

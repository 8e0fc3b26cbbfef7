// HttpClient: a small blocking HTTP/1.1 client for the `pinfold agents` commands (and tests).
// One connection, kept alive between calls. Not thread-safe: one client per thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace pinfold::http {

struct ClientResponse {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-cased names
    std::string body;
};

class HttpClient {
  public:
    // baseUrl: "http://host:port" (https is not supported by the client yet).
    static Result<std::unique_ptr<HttpClient>> Connect(const std::string& baseUrl);
    virtual ~HttpClient() = default;

    // Transport failures are Unavailable; any HTTP status is a successful call.
    virtual Result<ClientResponse> request(Method method, const std::string& target,
                                           const std::string& body,
                                           const std::map<std::string, std::string>& headers) = 0;
};

}  // namespace pinfold::http

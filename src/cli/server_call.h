// ServerCall: how the client commands (`pinfold agents`, `pinfold snapshots`) send one request
// to a server and report failures: the error goes to stderr as "pinfold <command>: ..." and the
// exit code is set, so each command only handles success.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "http/message.h"

namespace pinfold::cli {

struct ServerCall {
    std::string command;  // "agents", "snapshots": the prefix of error messages
    std::string host = "http://127.0.0.1:8080";
    std::string jwt;
    int* exitCode = nullptr;

    // A JSON request (body may be empty) whose response must be JSON.
    std::optional<boost::json::value> json(http::Method method, const std::string& target,
                                           const std::string& body = "") const;
    // Any request; the raw response body of a 2xx answer.
    std::optional<std::string> raw(http::Method method, const std::string& target,
                                   const std::string& body, const std::string& contentType) const;

  private:
    void fail(int code, const std::string& message) const;
};

// A JSON value as plain text: strings unquoted, null empty.
std::string PlainText(const boost::json::value& v);

}  // namespace pinfold::cli

// Health checks: one HTTP/1.0 GET of an engine's health path, over a socket created inside the
// agent's network namespace (the engine listens on the sandbox's own loopback). Any 2xx status
// counts as healthy.
//
// Thread-safe: calls are independent.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace pinfold::runtime {

// Sends "GET <path> HTTP/1.0" on a connected socket and returns the response's status code.
// Unavailable when the peer closes or answers something that is not HTTP, Timeout when no
// status line arrives within `timeout`.
Result<int> HttpGetStatus(int fd, const std::string& path, std::chrono::milliseconds timeout);

// Connects to 127.0.0.1:port in the network namespace of `netnsPid` and asks `path`.
// true for a 2xx answer; false for anything else (refused, timeout, other status).
bool ProbeHealth(pid_t netnsPid, uint16_t port, const std::string& path,
                 std::chrono::milliseconds timeout);

}  // namespace pinfold::runtime

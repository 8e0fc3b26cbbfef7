// ConnectInNetns: a TCP connection to 127.0.0.1:port inside another process's network namespace.
//
// Every agent has its own network namespace, so every gateway can listen on 18789. A socket keeps
// the namespace it was created in; so a short-lived thread enters the agent's namespace, creates
// and connects the socket, and hands the fd back. The calling thread's namespace never changes.
//
// Thread-safe: each call uses its own thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>

#include "core/result.h"

namespace pinfold::sandbox {

// A connected, blocking, close-on-exec TCP socket to 127.0.0.1:port in the network namespace of
// `targetPid`; the caller owns it. NotFound when the process is gone, Unavailable when nothing
// listens (connection refused), Timeout when connecting takes longer than `timeout`.
Result<int> ConnectInNetns(pid_t targetPid, uint16_t port, std::chrono::milliseconds timeout);

// A listening, close-on-exec TCP socket on 127.0.0.1:port (0: any free port) in the network
// namespace of `targetPid`, for services the server offers inside an agent's namespace.
Result<int> ListenInNetns(pid_t targetPid, uint16_t port);

}  // namespace pinfold::sandbox

// EchoUpstream: a stand-in for an agent's gateway in proxy tests, on 127.0.0.1 with its own
// thread. It answers
//   GET /bytes/N[?chunked=1|?close=1]  N bytes 'a'..'z' repeated: Content-Length, chunked in 7 KiB
//                                      pieces, or delimited by closing the connection;
//   a WebSocket upgrade (any path)     then echoes every message as "echo:<message>";
//   anything else                      {"method", "target", "bodyBytes", "bodyFnv", "chunked",
//                                      "headers": {lower-cased name: value}}, reading the body as
//                                      a stream (so bodies of any size pass).
// Thread-safe counters; stop() (or the destructor) ends it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pinfold::testing {

class EchoUpstream {
  public:
    EchoUpstream();
    ~EchoUpstream();

    uint16_t port() const { return port_; }
    int connectionsAccepted() const { return accepted_.load(); }
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    uint16_t port_ = 0;
    std::atomic<int> accepted_{0};
};

// FNV-1a 64 of `data` as 16 hex digits, as EchoUpstream reports bodies.
std::string Fnv1aHex(std::string_view data);

// The pattern body of GET /bytes/N.
std::string PatternBytes(size_t n);

// A blocking TCP socket connected to 127.0.0.1:port (for fake AgentUpstreams);
// Unavailable("connect: <reason>") when nothing listens there.
Result<int> ConnectLoopback(uint16_t port);

// A loopback port that nothing listens on (bound once, then released).
uint16_t UnusedLoopbackPort();

}  // namespace pinfold::testing

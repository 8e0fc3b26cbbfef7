// HttpServer: the HTTP/1.1 + WebSocket front of Pinfold, on Boost.Beast with C++20 coroutines.
//
// Per request: assign a request id (X-Request-Id), classify the host, route, check the body size
// against the route (Content-Length first), authenticate, read the body, parse JSON for jsonBody
// routes, run the handler (blocking routes on the worker pool), write the response, and log one
// access line (method, path without the query, status, duration, request id). Requests on an agent
// host that match no route are reverse-proxied to the agent (AgentUpstream), WebSocket upgrades
// included. A handler's exception becomes 500 with the request id; it never reaches the client.
//
// Threads: `ioThreads` I/O threads, each running its own event loop (connections are spread over
// them at accept and stay there, so a connection's state needs no lock), plus `workerThreads` for
// blocking routes. start()/stop()/port() may be called from any thread, except that stop() must
// not be called from a handler (it waits for handlers).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/route.h"

namespace spdlog {
class logger;
}

namespace pinfold::http {

class Authenticator;
class AgentUpstream;

struct HttpServerOptions {
    std::string listenAddress = "127.0.0.1";
    uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()

    // Agent hosts are `{agentId}.<baseDomain>`; everything else is the management host.
    std::string baseDomain = "agents.localhost";

    // I/O threads run the event loops; more than the core count only adds switching.
    int ioThreads = 2;
    // Threads for blocking routes (exec, restart, uploads): bounds how many run at once.
    int workerThreads = 16;

    // A client must send the whole request header within this time of its first byte, and the
    // first byte of a connection's first request within this time of connecting.
    std::chrono::milliseconds headerTimeout{std::chrono::seconds(30)};
    // Time allowed to receive a whole request body (uploads of a few MB on slow links).
    std::chrono::milliseconds bodyTimeout{std::chrono::seconds(120)};
    // Time allowed to send a whole response.
    std::chrono::milliseconds writeTimeout{std::chrono::seconds(60)};
    // An idle keep-alive connection is closed after this long without a new request.
    std::chrono::milliseconds keepAliveTimeout{std::chrono::seconds(60)};
    // Proxy: the upstream must answer and keep streaming with no gap longer than this.
    std::chrono::milliseconds upstreamTimeout{std::chrono::minutes(5)};
    // stop() waits this long for in-flight requests before closing what is left.
    std::chrono::milliseconds drainTimeout{std::chrono::seconds(10)};

    // Request line plus headers; larger gets 431 and the connection is closed.
    size_t maxHeaderBytes = 32 * 1024;
    // Requests a client may send ahead without reading answers (HTTP pipelining); they are answered
    // in order, one at a time. Beyond this the connection is closed after the last answer.
    size_t maxPipelinedRequests = 16;
    // Cap on every request body, proxied ones included; a route's maxBodyBytes can only lower it.
    uint64_t maxBodyBytes = 64ull * 1024 * 1024;

    // WebSocket routes: per-session outgoing queue bound (beyond it messages are dropped and
    // counted) and the largest message accepted from a client.
    size_t wsMaxQueuedMessages = 1024;
    size_t wsMaxMessageBytes = 64 * 1024;

    // X-Forwarded-Proto sent to agents (a TLS terminator in front would make this "https").
    std::string forwardedProto = "http";
    // Whether the agent-host proxy adds X-Forwarded-For/-Proto/-Host. OpenClaw's gateway refuses
    // forwarded headers that name a loopback client ("proxy_attribution_required"), which every
    // local browser is, so `pinfold serve` reaches the engine as a direct local client instead.
    bool forwardedHeaders = true;
};

// What the server needs from the layers around it; owned by the caller and must outlive the server.
struct HttpServerDeps {
    Authenticator& authenticator;
    AgentUpstream* upstream = nullptr;              // null: unmatched agent-host paths are 404
    std::shared_ptr<spdlog::logger> log = nullptr;  // null: spdlog's default logger
};

class HttpServer {
  public:
    HttpServer(HttpServerOptions options, std::vector<Route> routes, HttpServerDeps deps);
    ~HttpServer();  // stop()s

    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Validates the route table, binds, listens and starts the threads; returns once accepting.
    // InvalidArgument for a bad route table or address, Unavailable when the bind fails. Only
    // the first call can succeed: later ones return InvalidArgument("Server already started").
    Status start();

    // start(), then blocks until stop() is called (from another thread, e.g. a signal watcher).
    Status run();

    // Stops accepting, closes idle connections and WebSockets (1001), lets in-flight requests
    // finish for up to drainTimeout, then closes everything and joins the threads. Idempotent.
    void stop();

    // The bound port (the real one when options.port was 0); 0 before start().
    uint16_t port() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pinfold::http

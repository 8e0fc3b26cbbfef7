// Private to the .cpp files that implement HttpServer (server.cpp, connection.cpp, proxy.cpp,
// websocket_session.cpp): the Beast/Asio types they share. Include it from nowhere else: Beast
// stays out of every other header (design: handlers never see Beast).
//
// Threading: each IoWorker's event loop runs on one thread, and a connection stays on the worker
// that accepted it, so per-connection and per-worker state is touched by one thread only and needs
// no lock. ServerCore is constant after start() apart from its atomics.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "http/authenticator.h"
#include "http/host_classifier.h"
#include "http/router.h"
#include "http/server.h"
#include "http/upstream.h"
#include "http/websocket.h"

namespace spdlog {
class logger;
}

namespace pinfold::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using HeaderParser = bhttp::request_parser<bhttp::empty_body>;

// Everything a connection needs; built by start(), constant afterwards except the atomics.
struct ServerCore {
    ServerCore(HttpServerOptions o, Router r, HttpServerDeps d, std::shared_ptr<spdlog::logger> l,
               asio::thread_pool& w, uint32_t prefix)
        : options(std::move(o)),
          router(std::move(r)),
          hosts(options.baseDomain),
          authenticator(d.authenticator),
          upstream(d.upstream),
          log(std::move(l)),
          workers(w),
          requestIdPrefix(prefix) {}

    const HttpServerOptions options;
    const Router router;
    const HostClassifier hosts;
    Authenticator& authenticator;
    AgentUpstream* const upstream;
    const std::shared_ptr<spdlog::logger> log;
    asio::thread_pool& workers;
    const uint32_t requestIdPrefix;  // random per server start, so ids differ across restarts

    std::atomic<bool> stopping{false};
    std::atomic<int> liveConnections{0};
    std::mutex drainMutex;  // only for drained: taken when the last connection ends while stopping
    std::condition_variable drained;
};

// A connection as stop() sees it; lives in the connection's coroutine frame.
struct LiveConnection {
    beast::tcp_stream* stream = nullptr;  // null once handed to a WebSocket session
    bool idle = false;                    // waiting for a next request: safe to close at once
    std::function<void()> interrupt;      // set while upgraded (WebSocket, tunnel): ends it
};

// One I/O thread and its event loop. Members are declared so that the loop (and the connection
// frames it owns) is destroyed before the list those frames unregister from.
struct IoWorker {
    explicit IoWorker(int i) : index(i), ioc(1) {}

    const int index;
    std::list<LiveConnection*> connections;  // this worker's thread only
    uint32_t requestCounter = 0;             // this worker's thread only
    std::thread thread;
    asio::io_context ioc;
};

// The connection loop: read, route, authenticate, handle, write, keep alive (connection.cpp).
asio::awaitable<void> RunConnection(ServerCore& core, IoWorker& io, tcp::socket socket);

struct ResponseFlags {
    bool keepAlive = true;
    bool headOnly = false;  // HEAD: headers (with Content-Length) but no body
    bool http10 = false;    // HTTP/1.0 client: keep-alive must be said explicitly
};

// Serialises `response` (plus X-Request-Id, Content-Length, Connection) and writes it.
asio::awaitable<beast::error_code> WriteResponse(ServerCore& core, beast::tcp_stream& stream,
                                                 std::string& headBuffer, const Response& response,
                                                 std::string_view requestId, ResponseFlags flags);

// One access line: method, path (never the query: it may hold ?token=), status, time, id.
void LogAccess(ServerCore& core, std::string_view method, std::string_view path, int status,
               std::chrono::steady_clock::time_point start, std::string_view requestId);

// The connection to an agent kept between proxied requests of one client connection.
struct UpstreamCache {
    std::optional<beast::tcp_stream> stream;
    std::string agentId;
    beast::flat_buffer buffer;
    std::unique_ptr<char[]> chunk;  // body relay buffer, allocated on first use

    void reset();
};

struct ProxyOutcome {
    int status = 0;           // for the access log
    bool keepAlive = false;   // the client connection may carry another request
    bool unreadBody = false;  // the request body was not (fully) read: linger before closing
};

// Proxies the request whose header `header` holds to the agent of `host` (proxy.cpp). Streams the
// body both ways; on a 101 answer relays bytes both ways until either side closes.
asio::awaitable<ProxyOutcome> ProxyToAgent(ServerCore& core, beast::tcp_stream& client,
                                           beast::flat_buffer& clientBuffer, HeaderParser& header,
                                           const HostInfo& host, std::string_view requestId,
                                           std::string_view remoteAddress, UpstreamCache& upstream,
                                           LiveConnection& live, std::string& headBuffer,
                                           std::string_view setCookie);

// WebSocket routes (websocket_session.cpp). The session exists before the handshake so the
// route's handler can keep it (and refuse, which ends it).
std::shared_ptr<WebSocketSession> NewServerWebSocket(const HttpServerOptions& options);
void RefuseWebSocket(WebSocketSession& session);
// Answers the handshake and runs the session until it ends; takes over the stream.
asio::awaitable<void> RunWebSocket(std::shared_ptr<WebSocketSession> session,
                                   beast::tcp_stream stream,
                                   const bhttp::request<bhttp::empty_body>& upgrade,
                                   std::string_view requestId, LiveConnection& live);

}  // namespace pinfold::http::detail

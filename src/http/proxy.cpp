// The agent-host reverse proxy: requests on {agentId}.<base domain> that match no route go to the
// agent's gateway. Bodies stream through a fixed buffer in both directions (never held whole), so
// uploads and server-sent events of any length pass; a 101 answer turns the exchange into a byte
// tunnel (WebSocket chat). One upstream connection is kept per client connection and reused.
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cerrno>

#include "http/server_internal.h"
#include "http/status_map.h"

namespace pinfold::http::detail {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kTunnelBytes = 16 * 1024;
constexpr uint32_t kUpstreamHeaderLimit = 64 * 1024;

using RequestParser = bhttp::request_parser<bhttp::buffer_body>;
using ResponseParser = bhttp::response_parser<bhttp::buffer_body>;

// The fields a hop may not forward (RFC 9110 7.6.1), except the framing ones: the relay keeps the
// message's own framing (Content-Length or chunked) and re-encodes it.
template <bool isRequest>
void StripHopByHop(bhttp::header<isRequest>& h, bool keepUpgrade) {
    std::vector<std::string> named;
    for (auto token : bhttp::token_list(h[bhttp::field::connection])) {
        if (beast::iequals(token, "content-length") || beast::iequals(token, "transfer-encoding") ||
            beast::iequals(token, "host") || (keepUpgrade && beast::iequals(token, "upgrade"))) {
            continue;
        }
        named.emplace_back(token);
    }
    for (const std::string& name : named)
        h.erase(name);
    h.erase(bhttp::field::keep_alive);
    h.erase(bhttp::field::proxy_connection);
    h.erase(bhttp::field::proxy_authenticate);
    h.erase(bhttp::field::proxy_authorization);
    h.erase(bhttp::field::te);
    h.erase(bhttp::field::trailer);
    h.erase(bhttp::field::connection);
    if (keepUpgrade) {
        h.set(bhttp::field::connection, "Upgrade");
    } else {
        h.erase(bhttp::field::upgrade);
    }
}

bool IsUpgrade(const bhttp::request_header<>& h) {
    if (h.find(bhttp::field::upgrade) == h.end())
        return false;
    for (auto token : bhttp::token_list(h[bhttp::field::connection])) {
        if (beast::iequals(token, "upgrade"))
            return true;
    }
    return false;
}

// A kept connection the agent closed while idle reads as EOF; one with stray bytes is unusable.
bool StillUsable(UpstreamCache& cache) {
    if (!cache.stream || cache.buffer.size() != 0)
        return false;
    char c;
    ssize_t n = ::recv(cache.stream->socket().native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

Result<beast::tcp_stream> ConnectUpstream(ServerCore& core, const asio::any_io_executor& ex,
                                          const std::string& agentId) {
    Result<int> fd = core.upstream->connectAgent(agentId);
    if (!fd.ok())
        return fd.status();
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    if (::getsockname(*fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) {
        ::close(*fd);
        return Status::Unavailable("upstream fd is not a TCP socket");
    }
    tcp::socket socket(ex);
    beast::error_code ec;
    socket.assign(addr.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), *fd, ec);
    if (ec) {
        ::close(*fd);
        return Status::Unavailable(ec.message());
    }
    socket.set_option(tcp::no_delay(true), ec);
    return beast::tcp_stream(std::move(socket));
}

struct RelayResult {
    beast::error_code ec;
    bool readSide = false;       // the error came from `from` (else from `to`)
    bool headerWritten = false;  // something reached `to`
};

// Streams one message from `from` to `to` through `chunk`: header first, then the body as it
// arrives (read_some, so a slow trickle such as server-sent events is not held back). With
// `headerOnly` (answers to HEAD, 1xx, 204, 304) nothing follows the header, not even a last chunk.
template <bool isRequest>
asio::awaitable<RelayResult> Relay(beast::tcp_stream& from, beast::flat_buffer& fromBuffer,
                                   bhttp::parser<isRequest, bhttp::buffer_body>& parser,
                                   beast::tcp_stream& to, char* chunk,
                                   std::chrono::milliseconds timeout, bool headerOnly = false) {
    RelayResult result;
    auto& body = parser.get().body();
    body.data = nullptr;
    body.size = 0;
    body.more = !parser.is_done();
    bhttp::serializer<isRequest, bhttp::buffer_body> sr(parser.get());
    to.expires_after(timeout);
    auto [hec, hn] = co_await bhttp::async_write_header(to, sr, kTuple);
    result.ec = hec;
    result.headerWritten = !hec;
    if (hec || headerOnly)
        co_return result;
    // Beast reads no more than the buffer's free capacity (at least 512 bytes): without room the
    // body would move in tiny reads and writes.
    if (!parser.is_done() && fromBuffer.capacity() < kChunkBytes)
        fromBuffer.reserve(kChunkBytes);
    while (!parser.is_done()) {
        body.data = chunk;
        body.size = kChunkBytes;
        from.expires_after(timeout);
        auto [rec, rn] = co_await bhttp::async_read_some(from, fromBuffer, parser, kTuple);
        if (rec == bhttp::error::need_buffer)
            rec = {};
        if (rec) {
            result.ec = rec;
            result.readSide = true;
            co_return result;
        }
        size_t got = kChunkBytes - body.size;
        if (got == 0)
            continue;  // framing only (a chunk header); nothing to pass on yet
        body.data = chunk;
        body.size = got;
        body.more = !parser.is_done();
        to.expires_after(timeout);
        auto [wec, wn] = co_await bhttp::async_write(to, sr, kTuple);
        if (wec == bhttp::error::need_buffer)
            wec = {};
        if (wec) {
            result.ec = wec;
            co_return result;
        }
    }
    if (!sr.is_done()) {
        body.data = nullptr;
        body.size = 0;
        body.more = false;
        to.expires_after(timeout);
        auto [wec, wn] = co_await bhttp::async_write(to, sr, kTuple);
        if (wec == bhttp::error::need_buffer)
            wec = {};
        result.ec = wec;
    }
    co_return result;
}

asio::awaitable<void> Pump(tcp::socket& from, tcp::socket& to) {
    auto buffer = std::make_unique<char[]>(kTunnelBytes);
    for (;;) {
        auto [ec, n] =
            co_await from.async_read_some(asio::buffer(buffer.get(), kTunnelBytes), kTuple);
        if (ec)
            break;
        auto [wec, wn] = co_await asio::async_write(to, asio::buffer(buffer.get(), n), kTuple);
        if (wec)
            break;
    }
}

asio::awaitable<bool> WriteBuffered(beast::tcp_stream& to, beast::flat_buffer& pending,
                                    std::chrono::milliseconds timeout) {
    if (pending.size() == 0)
        co_return true;
    to.expires_after(timeout);
    auto [ec, n] = co_await asio::async_write(to, pending.data(), kTuple);
    pending.consume(pending.size());
    co_return !ec;
}

// After 101: bytes both ways until either side closes; then both are closed.
asio::awaitable<void> Tunnel(ServerCore& core, beast::tcp_stream& client,
                             beast::flat_buffer& clientBuffer, beast::tcp_stream& upstream,
                             beast::flat_buffer& upstreamBuffer, LiveConnection& live) {
    using namespace asio::experimental::awaitable_operators;
    auto timeout = core.options.writeTimeout;
    if (co_await WriteBuffered(upstream, clientBuffer, timeout) &&
        co_await WriteBuffered(client, upstreamBuffer, timeout)) {
        client.expires_never();
        upstream.expires_never();
        tcp::socket& a = client.socket();
        tcp::socket& b = upstream.socket();
        live.interrupt = [&a, &b] {
            beast::error_code ignored;
            a.close(ignored);
            b.close(ignored);
        };
        co_await (Pump(a, b) || Pump(b, a));
        live.interrupt = nullptr;
    }
    beast::error_code ignored;
    upstream.socket().close(ignored);
    client.socket().shutdown(tcp::socket::shutdown_both, ignored);
    client.socket().close(ignored);
}

}  // namespace

void UpstreamCache::reset() {
    if (stream) {
        beast::error_code ignored;
        stream->socket().close(ignored);
    }
    stream.reset();
    agentId.clear();
    buffer.clear();
}

asio::awaitable<ProxyOutcome> ProxyToAgent(ServerCore& core, beast::tcp_stream& client,
                                           beast::flat_buffer& clientBuffer, HeaderParser& header,
                                           const HostInfo& host, std::string_view requestId,
                                           std::string_view remoteAddress, UpstreamCache& cache,
                                           LiveConnection& live, std::string& headBuffer,
                                           std::string_view setCookie) {
    const bool clientKeepAlive = header.get().keep_alive();
    const bool http10 = header.get().version() < 11;
    const bool isHead = header.get().method() == bhttp::verb::head;
    const bool upgrade = IsUpgrade(header.get());
    const bool expectContinue = beast::iequals(header.get()[bhttp::field::expect], "100-continue");
    const auto timeout = core.options.upstreamTimeout;
    if (!cache.chunk)
        cache.chunk = std::make_unique<char[]>(kChunkBytes);

    RequestParser request(std::move(header));
    request.body_limit(core.options.maxBodyBytes);
    const bool requestHasBody = !request.is_done();
    ProxyOutcome outcome;

    // Answers locally, the agent's answer being unavailable. The client connection can carry on
    // only when its request had no body (an unread or half-read body cannot be skipped safely).
    auto fail = [&](const Response& response) -> asio::awaitable<void> {
        outcome.status = response.status;
        outcome.keepAlive = clientKeepAlive && !requestHasBody && !core.stopping.load();
        outcome.unreadBody = !request.is_done();
        ResponseFlags flags{outcome.keepAlive, isHead, http10};
        beast::error_code ec =
            co_await WriteResponse(core, client, headBuffer, response, requestId, flags);
        if (ec)
            outcome.keepAlive = false;
    };
    static const Response kUnreachable = Response::Error(502, "Agent is not reachable");

    {
        auto& h = request.get();
        StripHopByHop(h, upgrade);
        h.erase(bhttp::field::expect);
        h.version(11);
        if (core.options.forwardedHeaders) {
            std::string forwardedFor(h["X-Forwarded-For"]);
            if (!forwardedFor.empty())
                forwardedFor += ", ";
            forwardedFor += remoteAddress;
            h.set("X-Forwarded-For", forwardedFor);
            h.set("X-Forwarded-Proto", core.options.forwardedProto);
            std::string forwardedHost(h[bhttp::field::host]);
            h.set("X-Forwarded-Host", forwardedHost);
        } else {
            // Nothing a client sends may claim to be proxy attribution either.
            for (auto name : {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                              "Forwarded", "X-Real-IP"}) {
                h.erase(name);
            }
        }
        h.set("X-Request-Id", requestId);
    }

    std::optional<ResponseParser> parsed;
    for (int attempt = 0;; ++attempt) {
        bool reused = cache.agentId == host.agentId && StillUsable(cache);
        if (!reused) {
            cache.reset();
            Result<beast::tcp_stream> connected =
                ConnectUpstream(core, client.get_executor(), host.agentId);
            if (!connected.ok()) {
                const Status& s = connected.status();
                if (s.code() == Status::Code::kUnavailable) {
                    core.log->warn("request {}: agent {} is not reachable: {}", requestId,
                                   host.agentId, s.message());
                    co_await fail(kUnreachable);
                } else {
                    co_await fail(ErrorResponse(s));
                }
                co_return outcome;
            }
            cache.stream.emplace(std::move(connected).value());
            cache.agentId = host.agentId;
        }
        if (expectContinue && attempt == 0 && requestHasBody) {
            // Answered here, since the agent's own 100 would have to be relayed mid-exchange.
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            client.expires_after(core.options.writeTimeout);
            auto [ec, n] = co_await asio::async_write(client, asio::buffer(kContinue), kTuple);
            if (ec)
                co_return outcome;
        }
        RelayResult sent = co_await Relay(client, clientBuffer, request, *cache.stream,
                                          cache.chunk.get(), timeout);
        beast::error_code ec = sent.ec;
        if (sent.readSide) {
            // The client went away, stalled, or sent a broken or oversized body. 499 is only for
            // the access log (nginx's "client closed request"); nothing is sent.
            outcome.status = 499;
            cache.reset();
            if (ec == bhttp::error::body_limit) {
                co_await fail(Response::Error(413, "Request body too large"));
                outcome.keepAlive = false;
            }
            co_return outcome;
        }
        if (!ec) {
            parsed.emplace();
            parsed->header_limit(kUpstreamHeaderLimit);
            parsed->body_limit(boost::none);
            parsed->skip(isHead);
            cache.stream->expires_after(timeout);
            auto [rec, rn] =
                co_await bhttp::async_read_header(*cache.stream, cache.buffer, *parsed, kTuple);
            ec = rec;
        }
        if (!ec)
            break;
        cache.reset();
        // A kept connection the agent dropped while idle: ask again on a fresh one, which is safe
        // only when no body has been taken from the client.
        if (reused && !requestHasBody && attempt == 0)
            continue;
        core.log->warn("request {}: agent {} failed: {}", requestId, host.agentId, ec.message());
        co_await fail(kUnreachable);
        co_return outcome;
    }

    ResponseParser& response = *parsed;
    auto& res = response.get();
    outcome.status = res.result_int();
    const bool upstreamKeepAlive = res.keep_alive();
    if (upgrade && res.result() == bhttp::status::switching_protocols) {
        StripHopByHop(res.base(), true);
        res.set("X-Request-Id", requestId);
        RelayResult answered = co_await Relay(*cache.stream, cache.buffer, response, client,
                                              cache.chunk.get(), timeout, true);
        if (!answered.ec) {
            co_await Tunnel(core, client, clientBuffer, *cache.stream, cache.buffer, live);
        }
        cache.reset();
        co_return outcome;  // the tunnel closed both sides
    }

    StripHopByHop(res.base(), false);
    res.version(11);
    res.set("X-Request-Id", requestId);
    if (!setCookie.empty())
        res.insert(bhttp::field::set_cookie, setCookie);
    bool keepAlive = clientKeepAlive && !upgrade && !core.stopping.load();
    int status = res.result_int();
    bool headerOnly = isHead || status < 200 || status == 204 || status == 304;
    if (!headerOnly && !response.is_done() && !response.chunked() && !response.content_length()) {
        // Delimited by the agent closing: re-frame as chunked so the client connection can stay.
        if (http10) {
            keepAlive = false;
        } else {
            res.chunked(true);
        }
    }
    res.keep_alive(keepAlive);
    if (http10 && keepAlive)
        res.set(bhttp::field::connection, "keep-alive");
    RelayResult answered = co_await Relay(*cache.stream, cache.buffer, response, client,
                                          cache.chunk.get(), timeout, headerOnly);
    if (answered.ec || !upstreamKeepAlive || !response.is_done())
        cache.reset();
    outcome.keepAlive = !answered.ec && keepAlive;
    co_return outcome;
}

}  // namespace pinfold::http::detail

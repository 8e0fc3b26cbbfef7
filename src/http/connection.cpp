// The per-connection loop of HttpServer: read a request header, route it, check size and
// credentials, read the body, run the handler, write the answer, and keep the connection alive.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/parse.hpp>
#include <charconv>

#include "http/server_internal.h"
#include "http/status_map.h"

namespace pinfold::http::detail {
namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBodyReadChunk = 64 * 1024;
// After an answer sent without reading the request body (413, 401, ...), unread bytes would make
// close() send a reset that can destroy the answer in flight; so read and discard for a while.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 8 * 1024 * 1024;

Method ToMethod(bhttp::verb v) {
    switch (v) {
        case bhttp::verb::get:
            return Method::kGet;
        case bhttp::verb::post:
            return Method::kPost;
        case bhttp::verb::put:
            return Method::kPut;
        case bhttp::verb::delete_:
            return Method::kDelete;
        case bhttp::verb::patch:
            return Method::kPatch;
        case bhttp::verb::head:
            return Method::kHead;
        case bhttp::verb::options:
            return Method::kOptions;
        default:
            return Method::kOther;
    }
}

void AppendHex(std::string& out, uint32_t value, int width) {
    static constexpr char kDigits[] = "0123456789abcdef";
    for (int shift = (width - 1) * 4; shift >= 0; shift -= 4) {
        out.push_back(kDigits[(value >> shift) & 0xf]);
    }
}

// 15 characters, so it fits std::string's inline buffer: 6 hex of the server's random prefix,
// the I/O worker, 8 hex of that worker's counter.
std::string NextRequestId(ServerCore& core, IoWorker& io) {
    std::string id;
    AppendHex(id, core.requestIdPrefix, 6);
    AppendHex(id, static_cast<uint32_t>(io.index), 1);
    AppendHex(id, ++io.requestCounter, 8);
    return id;
}

bool IsTokenChar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A handler's extra header must not smuggle a line break into the response.
bool ValidHeader(std::string_view name, std::string_view value) {
    if (name.empty())
        return false;
    for (char c : name) {
        if (!IsTokenChar(c))
            return false;
    }
    for (char c : value) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return true;
}

void AppendNumber(std::string& out, uint64_t value) {
    char buf[24];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, end);
}

bool BodyAllowed(int status) {
    return status >= 200 && status != 204 && status != 304;
}

bool IsQuietEnd(const beast::error_code& ec) {
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::operation_aborted || ec == beast::error::timeout ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == bhttp::error::partial_message;
}

std::string LowerName(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Everything but the body, which is read only after the route and the caller are known.
void FillRequest(Request& req, const bhttp::request<bhttp::empty_body>& msg, Method method,
                 std::string_view query) {
    req.method = method;
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
        auto [it, inserted] = req.headers.try_emplace(LowerName(field.name_string()));
        if (!inserted)
            it->second += ", ";
        it->second.append(field.value().data(), field.value().size());
    }
    if (!query.empty())
        req.query = ParseQueryString(query);
}

// The row the authenticator sees for a proxied request: gateway token only, agent hosts only.
const Route& ProxyRoute() {
    static const Route route{Method::kOther,
                             "/{path}",
                             AuthKind::kGw,
                             HostScope::kAgent,
                             nullptr,
                             "proxyToAgent",
                             "Everything else on an agent host"};
    return route;
}

// A browser that opened `?token=...` gets the token as a cookie scoped to this agent's host, so
// the page's own requests (scripts, its WebSocket) carry it without the query string.
std::string GatewayCookieFor(const Request& req) {
    auto token = req.queryParam("token");
    if (!token || req.header("authorization") || req.cookie("gw_token") == token)
        return "";
    return "gw_token=" + *token + "; Path=/; HttpOnly; SameSite=Lax";
}

std::string_view Trimmed(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// A refusal by the authenticator. On a git route a 401 names the Basic scheme: git sends the
// credentials it has (or asks for them) only after such a challenge.
Response AuthErrorResponse(const Route& route, const Status& status) {
    Response response = ErrorResponse(status);
    if (route.auth == AuthKind::kGitBasic && response.status == 401)
        response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Pinfold\"");
    return response;
}

// An empty body and `null` (sent by the official CLI) are an empty object.
bool ParseJsonBody(Request& req) {
    if (Trimmed(req.body).empty())
        return true;
    boost::system::error_code ec;
    boost::json::value value = boost::json::parse(req.body, ec);
    if (ec)
        return false;
    if (value.is_null())
        return true;
    if (!value.is_object())
        return false;
    req.json = std::move(value.as_object());
    return true;
}

class Connection {
  public:
    Connection(ServerCore& core, IoWorker& io, tcp::socket socket)
        : core_(core),
          io_(io),
          stream_(std::move(socket)),
          buffer_(core.options.maxHeaderBytes + 64 * 1024) {
        beast::error_code ec;
        stream_.socket().set_option(tcp::no_delay(true), ec);
        auto remote = stream_.socket().remote_endpoint(ec);
        if (!ec)
            remote_ = remote.address().to_string();
        live_.stream = &stream_;
        registration_ = io_.connections.insert(io_.connections.end(), &live_);
        core_.liveConnections.fetch_add(1, std::memory_order_relaxed);
    }

    ~Connection() {
        io_.connections.erase(registration_);
        if (core_.liveConnections.fetch_sub(1) == 1 && core_.stopping.load()) {
            std::lock_guard<std::mutex> lock(core_.drainMutex);
            core_.drained.notify_all();
        }
    }

    asio::awaitable<void> run();

  private:
    // One exchange; false when the connection must end.
    asio::awaitable<bool> serveOne();
    asio::awaitable<bool> answer(const Response& response, bool keepAlive);
    asio::awaitable<bool> serveWebSocket(const Route& route, Request& req, const HostInfo& host,
                                         HeaderParser& parser, bool bodyless);
    Response invoke(const Route& route, HandlerContext& ctx);
    Response internalError(std::string_view what);
    Result<Caller> authenticate(const Request& req, const Route& route, const HostInfo& host);
    asio::awaitable<void> lingeringClose();

    ServerCore& core_;
    IoWorker& io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::string head_;  // response head, reused across requests
    std::string remote_;
    LiveConnection live_;
    std::list<LiveConnection*>::iterator registration_;
    UpstreamCache upstream_;
    bool upgraded_ = false;    // stream_ was moved into a WebSocket session
    bool unreadBody_ = false;  // answered without reading the body: linger before closing

    // The exchange in progress, for the access log.
    std::string requestId_;
    std::string_view method_ = "-";
    std::string path_;
    std::chrono::steady_clock::time_point start_;
    ResponseFlags flags_;
};

asio::awaitable<void> Connection::run() {
    size_t served = 0;
    size_t pipelined = 0;
    while (!core_.stopping.load(std::memory_order_relaxed)) {
        if (buffer_.size() == 0) {
            // Wait for the next request's first byte as an idle connection that stop() may close.
            pipelined = 0;
            live_.idle = true;
            stream_.expires_after(served == 0 ? core_.options.headerTimeout
                                              : core_.options.keepAliveTimeout);
            auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
            live_.idle = false;
            if (ec)
                break;
            buffer_.commit(n);
        } else if (++pipelined > core_.options.maxPipelinedRequests) {
            break;
        }
        if (!co_await serveOne())
            break;
        ++served;
    }
    if (upgraded_)
        co_return;
    if (unreadBody_)
        co_await lingeringClose();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
}

asio::awaitable<void> Connection::lingeringClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(kLingerTime);
    size_t discarded = 0;
    while (discarded < kLingerBytes) {
        buffer_.clear();
        auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
        if (rec)
            break;
        discarded += n;
    }
}

Response Connection::internalError(std::string_view what) {
    core_.log->error("request {}: {} {}: {}", requestId_, method_, path_, what);
    return Response::Error(500, "Internal error (request id " + requestId_ + ")");
}

Response Connection::invoke(const Route& route, HandlerContext& ctx) {
    try {
        return route.handler(ctx);
    } catch (const std::exception& e) {
        return internalError(e.what());
    } catch (...) {
        return internalError("unknown exception");
    }
}

Result<Caller> Connection::authenticate(const Request& req, const Route& route,
                                        const HostInfo& host) {
    try {
        return core_.authenticator.authenticate(req, route, host);
    } catch (const std::exception& e) {
        core_.log->error("request {}: authenticator threw: {}", requestId_, e.what());
    } catch (...) {
        core_.log->error("request {}: authenticator threw", requestId_);
    }
    return Status::Internal("Internal error (request id " + requestId_ + ")");
}

asio::awaitable<bool> Connection::answer(const Response& response, bool keepAlive) {
    flags_.keepAlive = keepAlive && !core_.stopping.load(std::memory_order_relaxed);
    beast::error_code ec =
        co_await WriteResponse(core_, stream_, head_, response, requestId_, flags_);
    LogAccess(core_, method_, path_, response.status, start_, requestId_);
    co_return !ec && flags_.keepAlive;
}

asio::awaitable<bool> Connection::serveOne() {
    HeaderParser parser;
    parser.header_limit(static_cast<uint32_t>(core_.options.maxHeaderBytes));
    parser.body_limit(boost::none);  // checked per route below, before any body byte is read
    stream_.expires_after(core_.options.headerTimeout);
    auto [ec, n] = co_await bhttp::async_read_header(stream_, buffer_, parser, kTuple);
    start_ = std::chrono::steady_clock::now();
    requestId_ = NextRequestId(core_, io_);
    method_ = "-";
    path_ = "-";
    flags_ = ResponseFlags{};
    if (ec) {
        if (IsQuietEnd(ec))
            co_return false;
        if (ec == bhttp::error::header_limit) {
            co_await answer(Response::Error(431, "Request header too large"), false);
        } else {
            co_await answer(Response::Error(400, "Bad request"), false);
        }
        unreadBody_ = true;
        co_return false;
    }

    auto& msg = parser.get();
    std::string_view target = msg.target();
    size_t q = target.find('?');
    std::string_view rawPath = target.substr(0, q);
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
    Method method = ToMethod(msg.method());
    method_ = msg.method_string();
    path_.assign(rawPath.data(), rawPath.size());
    flags_.headOnly = method == Method::kHead;
    flags_.http10 = msg.version() < 11;
    bool keepAlive = msg.keep_alive();
    bool bodyless = parser.is_done();  // nothing follows the header
    if (msg.count(bhttp::field::host) > 1) {
        // Two Host headers could route by one and be read by another (RFC 9112 §3.2): refuse.
        unreadBody_ = !bodyless;
        co_return co_await answer(Response::Error(400, "Bad request: more than one Host header"),
                                  false);
    }
    HostInfo host = core_.hosts.classify(msg[bhttp::field::host]);

    auto parsed = ParsedPath::Parse(rawPath);
    RouteMatch match;
    if (!parsed.ok()) {
        match.outcome = RouteMatch::Outcome::kInvalidPath;
    } else {
        match = core_.router.match(method, *parsed, host.isAgentHost);
    }
    if (!match.found()) {
        // /v0/ is the API's own space on every host: never handed to an engine.
        if (match.outcome == RouteMatch::Outcome::kNotFound && host.isAgentHost &&
            core_.upstream != nullptr && !rawPath.starts_with("/v0/")) {
            // Everything on an agent host is behind its gateway token, proxied paths included.
            Request probe;
            FillRequest(probe, msg, method, query);
            Result<Caller> caller = authenticate(probe, ProxyRoute(), host);
            if (!caller.ok()) {
                unreadBody_ = !bodyless;
                co_return co_await answer(ErrorResponse(caller.status()), keepAlive && bodyless);
            }
            ProxyOutcome out =
                co_await ProxyToAgent(core_, stream_, buffer_, parser, host, requestId_, remote_,
                                      upstream_, live_, head_, GatewayCookieFor(probe));
            LogAccess(core_, method_, path_, out.status, start_, requestId_);
            unreadBody_ = out.unreadBody;
            co_return out.keepAlive && !core_.stopping.load(std::memory_order_relaxed);
        }
        unreadBody_ = !bodyless;
        co_return co_await answer(match.errorResponse(), keepAlive && bodyless);
    }

    const Route& route = *match.route;
    Request req;
    FillRequest(req, msg, method, query);
    req.path = parsed->takeDecoded();
    req.pathParams = std::move(match.params);
    req.remoteAddress = remote_;
    req.requestId = requestId_;

    if (route.websocket) {
        co_return co_await serveWebSocket(route, req, host, parser, bodyless);
    }

    uint64_t limit = std::min<uint64_t>(route.maxBodyBytes, core_.options.maxBodyBytes);
    if (auto length = parser.content_length(); length && *length > limit) {
        unreadBody_ = true;
        co_return co_await answer(Response::Error(413, "Request body too large"), false);
    }

    HandlerContext ctx{req, Caller{}};
    if (route.auth != AuthKind::kNone) {
        Result<Caller> caller = authenticate(req, route, host);
        if (!caller.ok()) {
            unreadBody_ = !bodyless;
            co_return co_await answer(AuthErrorResponse(route, caller.status()),
                                      keepAlive && bodyless);
        }
        ctx.caller = std::move(caller).value();
    }

    if (!bodyless) {
        if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            stream_.expires_after(core_.options.writeTimeout);
            auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(kContinue), kTuple);
            if (wec)
                co_return false;
        }
        // Beast reads no more than the buffer's free capacity: give large bodies room.
        if (limit > kReadChunk && buffer_.capacity() < kBodyReadChunk) {
            buffer_.reserve(kBodyReadChunk);
        }
        bhttp::request_parser<bhttp::string_body> bodyParser(std::move(parser));
        bodyParser.body_limit(limit);
        stream_.expires_after(core_.options.bodyTimeout);
        auto [rec, rn] = co_await bhttp::async_read(stream_, buffer_, bodyParser, kTuple);
        if (rec == bhttp::error::body_limit) {
            unreadBody_ = true;
            co_return co_await answer(Response::Error(413, "Request body too large"), false);
        }
        if (rec) {
            if (IsQuietEnd(rec))
                co_return false;
            unreadBody_ = true;
            co_return co_await answer(Response::Error(400, "Bad request"), false);
        }
        req.body = std::move(bodyParser.get().body());
    }

    if (route.jsonBody && !ParseJsonBody(req)) {
        co_return co_await answer(Response::Error(400, "Invalid JSON body"), keepAlive);
    }

    Response response;
    if (route.blocking) {
        response = co_await asio::co_spawn(
            core_.workers, [&]() -> asio::awaitable<Response> { co_return invoke(route, ctx); },
            asio::use_awaitable);
    } else {
        response = invoke(route, ctx);
    }
    co_return co_await answer(response, keepAlive);
}

asio::awaitable<bool> Connection::serveWebSocket(const Route& route, Request& req,
                                                 const HostInfo& host, HeaderParser& parser,
                                                 bool bodyless) {
    if (!beast::websocket::is_upgrade(parser.get())) {
        unreadBody_ = !bodyless;
        co_return co_await answer(Response::Error(426, "WebSocket upgrade required"),
                                  parser.get().keep_alive() && bodyless);
    }
    HandlerContext ctx{req, Caller{}};
    if (route.auth != AuthKind::kNone) {
        Result<Caller> caller = authenticate(req, route, host);
        if (!caller.ok())
            co_return co_await answer(ErrorResponse(caller.status()), false);
        ctx.caller = std::move(caller).value();
    }
    auto session = NewServerWebSocket(core_.options);
    std::optional<Response> refusal;
    try {
        Status accepted = route.websocket(ctx, session);
        if (!accepted.ok())
            refusal = ErrorResponse(accepted);
    } catch (const std::exception& e) {
        refusal = internalError(e.what());
    } catch (...) {
        refusal = internalError("unknown exception");
    }
    if (refusal) {
        RefuseWebSocket(*session);
        co_return co_await answer(*refusal, false);
    }
    LogAccess(core_, method_, path_, 101, start_, requestId_);
    upgraded_ = true;
    live_.stream = nullptr;
    co_await RunWebSocket(std::move(session), std::move(stream_), parser.get(), requestId_, live_);
    co_return false;
}

}  // namespace

asio::awaitable<void> RunConnection(ServerCore& core, IoWorker& io, tcp::socket socket) {
    Connection connection(core, io, std::move(socket));
    co_await connection.run();
}

asio::awaitable<beast::error_code> WriteResponse(ServerCore& core, beast::tcp_stream& stream,
                                                 std::string& head, const Response& response,
                                                 std::string_view requestId, ResponseFlags flags) {
    head.clear();
    head += "HTTP/1.1 ";
    AppendNumber(head, static_cast<uint64_t>(response.status));
    head += ' ';
    std::string_view reason = bhttp::obsolete_reason(bhttp::int_to_status(response.status));
    head.append(reason.data(), reason.size());
    head += "\r\n";
    bool withBody = BodyAllowed(response.status);
    if (withBody) {
        if (!response.contentType.empty()) {
            head += "Content-Type: ";
            head += response.contentType;
            head += "\r\n";
        }
        head += "Content-Length: ";
        AppendNumber(head, response.body.size());
        head += "\r\n";
    }
    head += "X-Request-Id: ";
    head += requestId;
    head += "\r\n";
    for (const auto& [name, value] : response.headers) {
        if (!ValidHeader(name, value)) {
            core.log->warn("request {}: dropped a response header with a bad name or value",
                           requestId);
            continue;
        }
        head += name;
        head += ": ";
        head += value;
        head += "\r\n";
    }
    if (!flags.keepAlive) {
        head += "Connection: close\r\n";
    } else if (flags.http10) {
        head += "Connection: keep-alive\r\n";
    }
    head += "\r\n";

    std::array<asio::const_buffer, 2> buffers{asio::buffer(head), asio::const_buffer()};
    if (withBody && !flags.headOnly)
        buffers[1] = asio::buffer(response.body);
    stream.expires_after(core.options.writeTimeout);
    auto [ec, n] = co_await asio::async_write(stream, buffers, kTuple);
    co_return ec;
}

void LogAccess(ServerCore& core, std::string_view method, std::string_view path, int status,
               std::chrono::steady_clock::time_point start, std::string_view requestId) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    core.log->info("{} {} {} {}.{:03}ms id={}", method, path, status, micros / 1000, micros % 1000,
                   requestId);
}

}  // namespace pinfold::http::detail

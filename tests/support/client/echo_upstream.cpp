#include "support/client/echo_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <cstring>
#include <optional>
#include <thread>

namespace pinfold::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t FnvUpdate(uint64_t h, const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= kFnvPrime;
    }
    return h;
}

std::string Hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

asio::awaitable<void> EchoWebSocket(beast::tcp_stream stream,
                                    bhttp::request<bhttp::empty_body> upgrade) {
    websocket::stream<beast::tcp_stream> ws(std::move(stream));
    beast::get_lowest_layer(ws).expires_never();
    auto [ec] = co_await ws.async_accept(upgrade, kTuple);
    if (ec)
        co_return;
    beast::flat_buffer buffer;
    for (;;) {
        auto [rec, n] = co_await ws.async_read(buffer, kTuple);
        if (rec)
            co_return;
        std::string reply = "echo:" + beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        ws.text(true);
        auto [wec, wn] = co_await ws.async_write(asio::buffer(reply), kTuple);
        if (wec)
            co_return;
    }
}

// GET /bytes/N: the body in the framing the query asks for. Returns whether to keep going.
asio::awaitable<bool> SendBytes(beast::tcp_stream& stream, std::string_view target,
                                bool keepAlive) {
    std::string_view rest = target.substr(std::strlen("/bytes/"));
    size_t q = rest.find('?');
    std::string query(q == std::string_view::npos ? "" : rest.substr(q + 1));
    size_t n = std::stoul(std::string(rest.substr(0, q)));
    std::string body = PatternBytes(n);
    if (query == "close=1") {
        std::string head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(head), kTuple);
        co_await asio::async_write(stream, asio::buffer(body), kTuple);
        co_return false;
    }
    if (query == "chunked=1") {
        bhttp::response<bhttp::empty_body> res(bhttp::status::ok, 11);
        res.set(bhttp::field::content_type, "text/plain");
        res.chunked(true);
        res.keep_alive(keepAlive);
        bhttp::response_serializer<bhttp::empty_body> sr(res);
        co_await bhttp::async_write_header(stream, sr, kTuple);
        for (size_t at = 0; at < body.size(); at += 7 * 1024) {
            auto piece = asio::buffer(body.data() + at, std::min<size_t>(7 * 1024, n - at));
            co_await asio::async_write(stream, bhttp::make_chunk(piece), kTuple);
        }
        co_await asio::async_write(stream, bhttp::make_chunk_last(), kTuple);
        co_return keepAlive;
    }
    bhttp::response<bhttp::string_body> res(bhttp::status::ok, 11);
    res.set(bhttp::field::content_type, "text/plain");
    res.body() = std::move(body);
    res.keep_alive(keepAlive);
    res.prepare_payload();
    co_await bhttp::async_write(stream, res, kTuple);
    co_return keepAlive;
}

asio::awaitable<void> Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    auto chunk = std::make_unique<char[]>(64 * 1024);
    for (;;) {
        bhttp::request_parser<bhttp::empty_body> header;
        header.body_limit(boost::none);
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, header, kTuple);
        if (ec)
            co_return;
        if (websocket::is_upgrade(header.get())) {
            co_await EchoWebSocket(std::move(stream), header.release());
            co_return;
        }
        std::string target(header.get().target());
        bool keepAlive = header.get().keep_alive();
        if (target.rfind("/bytes/", 0) == 0) {
            if (!co_await SendBytes(stream, target, keepAlive))
                break;
            continue;
        }
        boost::json::object headers;
        for (const auto& field : header.get()) {
            std::string name(field.name_string());
            for (char& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            headers[name] = std::string(field.value());
        }
        std::string method(header.get().method_string());
        bool chunked = header.get().chunked();

        bhttp::request_parser<bhttp::buffer_body> body(std::move(header));
        uint64_t bytes = 0;
        uint64_t fnv = kFnvOffset;
        while (!body.is_done()) {
            body.get().body().data = chunk.get();
            body.get().body().size = 64 * 1024;
            auto [rec, rn] = co_await bhttp::async_read_some(stream, buffer, body, kTuple);
            if (rec == bhttp::error::need_buffer)
                rec = {};
            if (rec)
                co_return;
            size_t got = 64 * 1024 - body.get().body().size;
            fnv = FnvUpdate(fnv, chunk.get(), got);
            bytes += got;
        }
        boost::json::object echo{{"method", method},   {"target", target},
                                 {"bodyBytes", bytes}, {"bodyFnv", Hex64(fnv)},
                                 {"chunked", chunked}, {"headers", std::move(headers)}};
        bhttp::response<bhttp::string_body> res(bhttp::status::ok, 11);
        res.set(bhttp::field::content_type, "application/json");
        res.set("X-Upstream", "echo");
        res.body() = boost::json::serialize(echo);
        res.keep_alive(keepAlive);
        res.prepare_payload();
        auto [wec, wn] = co_await bhttp::async_write(stream, res, kTuple);
        if (wec || !keepAlive)
            break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

struct EchoUpstream::Impl {
    // Destroyed by stop(), which closes the listening socket and every connection with it.
    std::optional<asio::io_context> ioc{std::in_place, 1};
    std::optional<tcp::acceptor> acceptor{std::in_place, *ioc};
    std::thread thread;
};

EchoUpstream::EchoUpstream() : impl_(std::make_unique<Impl>()) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor->open(endpoint.protocol());
    impl_->acceptor->set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor->bind(endpoint);
    impl_->acceptor->listen();
    port_ = impl_->acceptor->local_endpoint().port();
    asio::co_spawn(
        *impl_->ioc,
        [this]() -> asio::awaitable<void> {
            for (;;) {
                auto [ec, socket] = co_await impl_->acceptor->async_accept(kTuple);
                if (ec)
                    co_return;
                accepted_.fetch_add(1);
                asio::co_spawn(*impl_->ioc, Serve(std::move(socket)), asio::detached);
            }
        },
        asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc->run(); });
}

EchoUpstream::~EchoUpstream() {
    stop();
}

void EchoUpstream::stop() {
    if (!impl_->thread.joinable())
        return;
    impl_->ioc->stop();
    impl_->thread.join();
    impl_->acceptor.reset();
    impl_->ioc.reset();
}

std::string Fnv1aHex(std::string_view data) {
    return Hex64(FnvUpdate(kFnvOffset, data.data(), data.size()));
}

std::string PatternBytes(size_t n) {
    std::string out(n, '\0');
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>('a' + i % 26);
    return out;
}

Result<int> ConnectLoopback(uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Status::Unavailable(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        std::string reason = std::strerror(errno);
        ::close(fd);
        return Status::Unavailable("connect: " + reason);
    }
    return fd;
}

uint16_t UnusedLoopbackPort() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

}  // namespace pinfold::testing

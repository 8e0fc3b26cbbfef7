#include "support/client/http_client.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>
#include <cstring>

namespace pinfold::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Runs the loop until `done` or the deadline; false on timeout.
bool RunUntil(asio::io_context& ioc, const bool& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    ioc.restart();
    while (!done) {
        auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero())
            return false;
        if (ioc.run_one_for(left) == 0 && ioc.stopped()) {
            if (done)
                break;
            ioc.restart();
            if (ioc.poll_one() == 0 && !done)
                return false;  // nothing pending: cannot finish
        }
    }
    return true;
}

template <typename Start>
beast::error_code Run(asio::io_context& ioc, std::chrono::milliseconds timeout, Start start) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    if (!RunUntil(ioc, done, timeout))
        return asio::error::timed_out;
    return result;
}

Headers Merge(const Headers& defaults, const Headers& extra) {
    Headers all = defaults;
    for (const auto& [name, value] : extra) {
        bool replaced = false;
        for (auto& [n, v] : all) {
            if (Lower(n) == Lower(name)) {
                v = value;
                replaced = true;
            }
        }
        if (!replaced)
            all.emplace_back(name, value);
    }
    return all;
}

}  // namespace

boost::json::value HttpResult::json() const {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec)
        return nullptr;
    return v;
}

std::string HttpResult::header(std::string_view lowerName) const {
    auto it = headers.find(std::string(lowerName));
    return it == headers.end() ? std::string() : it->second;
}

std::string HttpResult::describe() const {
    if (status == 0)
        return "no answer: " + error;
    return std::to_string(status) + " " + body;
}

struct HttpClient::Impl {
    std::string host;
    uint16_t port;
    asio::io_context ioc;
    std::optional<beast::tcp_stream> stream;
    beast::flat_buffer buffer;
    Headers defaults;
    std::chrono::milliseconds timeout{std::chrono::seconds(30)};
    int opened = 0;

    beast::error_code connect() {
        tcp::resolver resolver(ioc);
        beast::error_code ec;
        auto endpoints = resolver.resolve(host, std::to_string(port), ec);
        if (ec)
            return ec;
        stream.emplace(ioc);
        buffer.clear();
        buffer.reserve(64 * 1024);  // Beast reads at most the free capacity
        stream->expires_after(timeout);
        ec = Run(ioc, timeout, [&](auto handler) {
            stream->async_connect(endpoints,
                                  [handler](beast::error_code e, auto&&) mutable { handler(e); });
        });
        if (ec) {
            stream.reset();
            return ec;
        }
        stream->socket().set_option(tcp::no_delay(true), ec);
        ++opened;
        return {};
    }

    void reset() {
        if (stream) {
            beast::error_code ignored;
            stream->socket().close(ignored);
        }
        stream.reset();
        buffer.clear();
    }

    beast::error_code send(std::string_view method, std::string_view target,
                           const std::string& body, const Headers& headers, size_t chunkBytes) {
        bhttp::verb verb = bhttp::string_to_verb(method);
        auto prepare = [&](auto& req) {
            if (verb == bhttp::verb::unknown) {
                req.method_string(method);
            } else {
                req.method(verb);
            }
            req.target(target);
            req.version(11);
            req.set(bhttp::field::host, host + ":" + std::to_string(port));
            for (const auto& [name, value] : Merge(defaults, headers))
                req.set(name, value);
        };
        stream->expires_after(timeout);
        if (chunkBytes == 0) {
            bhttp::request<bhttp::string_body> req;
            prepare(req);
            req.body() = body;
            if (!body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
                verb == bhttp::verb::patch) {
                req.prepare_payload();
            }
            return Run(ioc, timeout,
                       [&](auto handler) { bhttp::async_write(*stream, req, std::move(handler)); });
        }
        bhttp::request<bhttp::empty_body> req;
        prepare(req);
        req.chunked(true);
        bhttp::request_serializer<bhttp::empty_body> sr(req);
        beast::error_code ec = Run(ioc, timeout, [&](auto handler) {
            bhttp::async_write_header(*stream, sr, std::move(handler));
        });
        for (size_t at = 0; !ec && at < body.size(); at += chunkBytes) {
            auto piece = asio::buffer(body.data() + at, std::min(chunkBytes, body.size() - at));
            ec = Run(ioc, timeout, [&](auto handler) {
                asio::async_write(*stream, bhttp::make_chunk(piece), std::move(handler));
            });
        }
        if (!ec) {
            ec = Run(ioc, timeout, [&](auto handler) {
                asio::async_write(*stream, bhttp::make_chunk_last(), std::move(handler));
            });
        }
        return ec;
    }

    HttpResult exchange(std::string_view method, std::string_view target, const std::string& body,
                        const Headers& headers, size_t chunkBytes) {
        HttpResult result;
        for (int attempt = 0; attempt < 2; ++attempt) {
            bool reused = stream.has_value();
            if (!stream) {
                if (auto ec = connect()) {
                    result.error = "connect: " + ec.message();
                    return result;
                }
            }
            beast::error_code writeError = send(method, target, body, headers, chunkBytes);
            // Even when the write failed, the server may have answered first (413 before the
            // body was read): try to read that answer.
            bhttp::response_parser<bhttp::string_body> parser;
            parser.body_limit(boost::none);
            parser.header_limit(1024 * 1024);
            if (Lower(method) == "head")
                parser.skip(true);
            stream->expires_after(timeout);
            beast::error_code ec = Run(ioc, timeout, [&](auto handler) {
                bhttp::async_read(*stream, buffer, parser, std::move(handler));
            });
            if (ec) {
                reset();
                if (reused && attempt == 0)
                    continue;  // the server closed the idle connection
                result.error = (writeError ? "write: " + writeError.message() + ", " : "") +
                               "read: " + ec.message();
                return result;
            }
            auto& res = parser.get();
            result.status = res.result_int();
            for (const auto& field : res) {
                auto [it, inserted] = result.headers.try_emplace(Lower(field.name_string()));
                if (!inserted)
                    it->second += ", ";
                it->second += std::string(field.value());
            }
            result.body = std::move(res.body());
            if (!res.keep_alive() || writeError)
                reset();
            return result;
        }
        return result;
    }
};

HttpClient::HttpClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
}

HttpClient::~HttpClient() {
    impl_->reset();
}

HttpResult HttpClient::request(std::string_view method, std::string_view target, std::string body,
                               const Headers& headers) {
    return impl_->exchange(method, target, body, headers, 0);
}

HttpResult HttpClient::get(std::string_view target, const Headers& headers) {
    return request("GET", target, {}, headers);
}

HttpResult HttpClient::post(std::string_view target, std::string body, const Headers& headers) {
    return request("POST", target, std::move(body), headers);
}

HttpResult HttpClient::put(std::string_view target, std::string body, const Headers& headers) {
    return request("PUT", target, std::move(body), headers);
}

HttpResult HttpClient::del(std::string_view target, const Headers& headers) {
    return request("DELETE", target, {}, headers);
}

HttpResult HttpClient::postChunked(std::string_view target, std::string_view body,
                                   size_t chunkBytes, const Headers& headers) {
    return impl_->exchange("POST", target, std::string(body), headers,
                           chunkBytes == 0 ? 1 : chunkBytes);
}

void HttpClient::setDefaultHeader(std::string name, std::string value) {
    impl_->defaults = Merge(impl_->defaults, {{std::move(name), std::move(value)}});
}

void HttpClient::setTimeout(std::chrono::milliseconds timeout) {
    impl_->timeout = timeout;
}

int HttpClient::connectionsOpened() const {
    return impl_->opened;
}

void HttpClient::disconnect() {
    impl_->reset();
}

// ---- WebSocketClient ----

struct WebSocketClient::Impl {
    asio::io_context ioc;
    std::optional<websocket::stream<beast::tcp_stream>> ws;
    beast::flat_buffer readBuffer;
    bool readPending = false;
    bool readDone = false;
    beast::error_code readError;
    bool closed = false;
    int closeCode = 0;
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};

    void markClosed() {
        closed = true;
        if (ws)
            closeCode = ws->reason().code;
    }
};

WebSocketClient::WebSocketClient() : impl_(std::make_unique<Impl>()) {}

WebSocketClient::~WebSocketClient() {
    if (impl_->ws) {
        beast::error_code ignored;
        beast::get_lowest_layer(*impl_->ws).socket().close(ignored);
    }
}

WebSocketClient::ConnectResult WebSocketClient::connect(const std::string& host, uint16_t port,
                                                        std::string_view target,
                                                        const Headers& headers) {
    Impl& s = *impl_;
    ConnectResult result;
    tcp::resolver resolver(s.ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(host, std::to_string(port), ec);
    if (ec) {
        result.error = ec.message();
        return result;
    }
    s.ws.emplace(s.ioc);
    auto& lowest = beast::get_lowest_layer(*s.ws);
    lowest.expires_after(s.timeout);
    ec = Run(s.ioc, s.timeout, [&](auto handler) {
        lowest.async_connect(endpoints,
                             [handler](beast::error_code e, auto&&) mutable { handler(e); });
    });
    if (ec) {
        result.error = "connect: " + ec.message();
        return result;
    }
    Headers extra = headers;
    s.ws->set_option(websocket::stream_base::decorator([extra](websocket::request_type& req) {
        for (const auto& [name, value] : extra)
            req.set(name, value);
    }));
    websocket::response_type response;
    lowest.expires_after(s.timeout);
    ec = Run(s.ioc, s.timeout, [&](auto handler) {
        s.ws->async_handshake(response, host + ":" + std::to_string(port), target,
                              std::move(handler));
    });
    result.status = response.result_int();
    result.body = response.body();
    if (ec) {
        result.error = "handshake: " + ec.message();
        s.closed = true;
        return result;
    }
    lowest.expires_never();
    s.ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    result.ok = true;
    return result;
}

bool WebSocketClient::sendText(std::string_view text) {
    Impl& s = *impl_;
    if (!s.ws || s.closed)
        return false;
    s.ws->text(true);
    beast::error_code ec = Run(s.ioc, s.timeout, [&](auto handler) {
        s.ws->async_write(asio::buffer(text.data(), text.size()), std::move(handler));
    });
    return !ec;
}

std::optional<std::string> WebSocketClient::readText(std::chrono::milliseconds timeout) {
    Impl& s = *impl_;
    if (!s.ws || s.closed)
        return std::nullopt;
    if (!s.readPending) {
        s.readPending = true;
        s.readDone = false;
        s.ws->async_read(s.readBuffer, [&s](beast::error_code ec, size_t) {
            s.readError = ec;
            s.readDone = true;
        });
    }
    if (!RunUntil(s.ioc, s.readDone, timeout))
        return std::nullopt;
    s.readPending = false;
    if (s.readError) {
        s.markClosed();
        return std::nullopt;
    }
    std::string text = beast::buffers_to_string(s.readBuffer.data());
    s.readBuffer.consume(s.readBuffer.size());
    return text;
}

bool WebSocketClient::closed() const {
    return impl_->closed;
}

int WebSocketClient::closeCode() const {
    return impl_->closeCode;
}

void WebSocketClient::close(uint16_t code) {
    Impl& s = *impl_;
    if (!s.ws || s.closed)
        return;
    Run(s.ioc, s.timeout, [&](auto handler) {
        s.ws->async_close(websocket::close_reason(static_cast<websocket::close_code>(code)),
                          std::move(handler));
    });
    if (s.readPending)
        RunUntil(s.ioc, s.readDone, s.timeout);
    s.closed = true;
}

// ---- RawConnection ----

RawConnection::RawConnection(const std::string& host, uint16_t port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return;
    for (addrinfo* a = found; a; a = a->ai_next) {
        int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            fd_ = fd;
            break;
        }
        ::close(fd);
    }
    freeaddrinfo(found);
}

RawConnection::~RawConnection() {
    if (fd_ >= 0)
        ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

bool RawConnection::fill(std::chrono::steady_clock::time_point deadline) {
    if (fd_ < 0 || peerClosed_)
        return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
        return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready <= 0)
        return false;
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
        peerClosed_ = true;
        return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return true;
}

std::string RawConnection::readUntilClosed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (fill(deadline)) {
    }
    return std::exchange(pending_, std::string());
}

std::string RawConnection::readUntil(std::string_view delimiter,
                                     std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t at;
    while ((at = pending_.find(delimiter)) == std::string::npos) {
        if (!fill(deadline))
            return std::exchange(pending_, std::string());
    }
    std::string out = pending_.substr(0, at + delimiter.size());
    pending_.erase(0, at + delimiter.size());
    return out;
}

std::string RawConnection::readResponse(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string head = readUntil("\r\n\r\n", timeout);
    if (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0)
        return head;
    std::string lower = Lower(head);
    size_t cl = lower.find("\r\ncontent-length:");
    if (cl != std::string::npos) {
        size_t length = std::stoul(head.substr(cl + 17));
        while (pending_.size() < length && fill(deadline)) {
        }
        size_t take = std::min(length, pending_.size());
        std::string out = head + pending_.substr(0, take);
        pending_.erase(0, take);
        return out;
    }
    if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
        std::string out = head;
        for (;;) {
            std::string sizeLine = readUntil("\r\n", timeout);
            out += sizeLine;
            size_t size = std::stoul(sizeLine, nullptr, 16);
            while (pending_.size() < size + 2 && fill(deadline)) {
            }
            size_t take = std::min(size + 2, pending_.size());
            out += pending_.substr(0, take);
            pending_.erase(0, take);
            if (size == 0 || take < size + 2)
                return out;
        }
    }
    return head;
}

}  // namespace pinfold::testing

// Synchronous HTTP and WebSocket clients for tests of the server (tests/http, tests/api), over
// Beast. Every operation has a timeout (default 10 s), so a broken server fails a test instead of
// hanging it. Not thread-safe: use one client per thread.
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pinfold::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
    int status = 0;                              // 0: no answer; `error` says why
    std::string error;                           // transport error, empty when an answer arrived
    std::map<std::string, std::string> headers;  // lower-cased names; repeats joined by ", "
    std::string body;

    // The body parsed as JSON; null when it is not JSON.
    boost::json::value json() const;
    // The header's value, "" when absent.
    std::string header(std::string_view lowerName) const;
    // "404 {"error":"Not found"}": for assertion messages.
    std::string describe() const;
};

// An HTTP/1.1 client that keeps its connection alive between requests (and reconnects when the
// server closed it).
class HttpClient {
  public:
    HttpClient(std::string host, uint16_t port);
    ~HttpClient();

    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // `headers` are added to (and override) the default ones; a Host header replaces the default
    // "host:port".
    HttpResult request(std::string_view method, std::string_view target, std::string body = {},
                       const Headers& headers = {});
    HttpResult get(std::string_view target, const Headers& headers = {});
    HttpResult post(std::string_view target, std::string body, const Headers& headers = {});
    HttpResult put(std::string_view target, std::string body, const Headers& headers = {});
    HttpResult del(std::string_view target, const Headers& headers = {});

    // Sends `body` with Transfer-Encoding: chunked, `chunkBytes` per chunk, each written as it is
    // produced (the way a streaming upload arrives).
    HttpResult postChunked(std::string_view target, std::string_view body, size_t chunkBytes,
                           const Headers& headers = {});

    // Sent with every request (e.g. Authorization, Host).
    void setDefaultHeader(std::string name, std::string value);
    void setTimeout(std::chrono::milliseconds timeout);

    // TCP connections opened so far: 1 after many requests means keep-alive worked.
    int connectionsOpened() const;
    void disconnect();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A WebSocket client. connect() performs the handshake; a refused handshake reports the HTTP
// answer.
class WebSocketClient {
  public:
    struct ConnectResult {
        bool ok = false;
        int status = 0;    // 101 on success, else the refusal's status (0: no answer)
        std::string body;  // the refusal's body
        std::string error;
    };

    WebSocketClient();
    ~WebSocketClient();

    ConnectResult connect(const std::string& host, uint16_t port, std::string_view target,
                          const Headers& headers = {});
    bool sendText(std::string_view text);
    // The next text message, or nullopt when none arrived within `timeout` (the read stays
    // pending and continues in the next call) or the connection ended (see closed()).
    std::optional<std::string> readText(std::chrono::milliseconds timeout);
    bool closed() const;
    int closeCode() const;  // the server's close code once closed(), else 0
    void close(uint16_t code = 1000);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A plain TCP connection for malformed or hand-crafted requests.
class RawConnection {
  public:
    RawConnection(const std::string& host, uint16_t port);
    ~RawConnection();

    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;

    bool connected() const { return fd_ >= 0; }
    bool send(std::string_view bytes);
    // Everything until the peer closes (or `timeout` passes).
    std::string readUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // Bytes up to and including `delimiter`, or what arrived before the timeout or close. Bytes
    // after the delimiter are kept for the next read.
    std::string readUntil(std::string_view delimiter,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // One whole response: head, then a Content-Length or chunked body.
    std::string readResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    bool peerClosed() const { return peerClosed_; }

  private:
    // Appends what arrives within `timeout` to pending_; false on close, error or timeout.
    bool fill(std::chrono::steady_clock::time_point deadline);

    int fd_ = -1;
    std::string pending_;
    bool peerClosed_ = false;
};

}  // namespace pinfold::testing

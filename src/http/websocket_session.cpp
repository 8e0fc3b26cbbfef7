// WebSocketSession over Beast: the session a WebSocket route's handler keeps. The connection's
// coroutine reads (and hands messages to onMessage); a writer coroutine, started when the queue
// gets its first message, drains the bounded queue and then exits, so an idle session costs no
// pending write. Producers on other threads only take the session's mutex to queue a message.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "http/server_internal.h"

namespace pinfold::http::detail {
namespace {

namespace websocket = beast::websocket;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

class ServerWebSocket final : public WebSocketSession,
                              public std::enable_shared_from_this<ServerWebSocket> {
  public:
    explicit ServerWebSocket(const HttpServerOptions& options)
        : maxQueued_(options.wsMaxQueuedMessages), maxMessage_(options.wsMaxMessageBytes) {}

    bool send(std::string text) override {
        std::lock_guard<std::mutex> lock(mu_);
        if (state_ != State::kPending && state_ != State::kOpen)
            return false;
        if (queue_.size() >= maxQueued_) {
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
        queue_.push_back(std::move(text));
        startWriterLocked();
        return true;
    }

    void close(uint16_t code, std::string reason) override {
        std::lock_guard<std::mutex> lock(mu_);
        if (state_ != State::kPending && state_ != State::kOpen)
            return;
        state_ = State::kClosing;
        closeReason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
        startWriterLocked();
    }

    void setOnClose(std::function<void()> callback) override {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (state_ != State::kClosed) {
                onClose_ = std::move(callback);
                return;
            }
        }
        if (callback)
            callback();
    }

    void setOnMessage(std::function<void(std::string_view)> callback) override {
        std::lock_guard<std::mutex> lock(mu_);
        onMessage_ = std::make_shared<std::function<void(std::string_view)>>(std::move(callback));
    }

    uint64_t dropped() const override { return dropped_.load(std::memory_order_relaxed); }

    bool isOpen() const override {
        std::lock_guard<std::mutex> lock(mu_);
        return state_ == State::kOpen;
    }

    // Ends the session: nothing more is sent, onClose runs once.
    void finish() {
        std::function<void()> onClose;
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (state_ == State::kClosed)
                return;
            state_ = State::kClosed;
            queue_.clear();
            onMessage_.reset();
            onClose = std::move(onClose_);
        }
        if (onClose)
            onClose();
    }

    asio::awaitable<void> run(beast::tcp_stream stream,
                              const bhttp::request<bhttp::empty_body>& upgrade,
                              std::string_view requestId, LiveConnection& live);

  private:
    enum class State { kPending, kOpen, kClosing, kClosed };

    // Starts the writer unless it runs or the handshake is not done yet (run() starts it then).
    // Posted, never run inline: co_spawn would enter writeLoop at once on the I/O thread, which
    // takes mu_, held here.
    void startWriterLocked() {
        if (writing_ || !executor_)
            return;
        writing_ = true;
        asio::post(*executor_, [self = shared_from_this()] {
            asio::co_spawn(*self->executor_, writeLoop(self), asio::detached);
        });
    }

    static asio::awaitable<void> writeLoop(std::shared_ptr<ServerWebSocket> self);

    const size_t maxQueued_;
    const size_t maxMessage_;
    std::optional<websocket::stream<beast::tcp_stream>> ws_;  // set by run(); I/O thread only

    mutable std::mutex mu_;  // guards everything below
    State state_ = State::kPending;
    std::deque<std::string> queue_;
    bool writing_ = false;
    bool closeSent_ = false;
    std::optional<asio::any_io_executor> executor_;  // set once the handshake is done
    websocket::close_reason closeReason_;
    std::function<void()> onClose_;
    std::shared_ptr<std::function<void(std::string_view)>> onMessage_;
    std::atomic<uint64_t> dropped_{0};
};

asio::awaitable<void> ServerWebSocket::writeLoop(std::shared_ptr<ServerWebSocket> self) {
    for (;;) {
        std::string message;
        bool sendClose = false;
        websocket::close_reason reason;
        {
            std::lock_guard<std::mutex> lock(self->mu_);
            if (!self->queue_.empty()) {
                message = std::move(self->queue_.front());
                self->queue_.pop_front();
            } else if (self->state_ == State::kClosing && !self->closeSent_) {
                self->closeSent_ = true;
                sendClose = true;
                reason = self->closeReason_;
            } else {
                self->writing_ = false;
                co_return;
            }
        }
        if (sendClose) {
            // The reader sees the peer's answering close frame and ends the session.
            auto [ec] = co_await self->ws_->async_close(reason, kTuple);
            if (ec)
                beast::get_lowest_layer(*self->ws_).cancel();
            std::lock_guard<std::mutex> lock(self->mu_);
            self->writing_ = false;
            co_return;
        }
        self->ws_->text(true);
        auto [ec, n] = co_await self->ws_->async_write(asio::buffer(message), kTuple);
        if (ec) {
            beast::get_lowest_layer(*self->ws_).cancel();  // wakes the reader, which finishes
            std::lock_guard<std::mutex> lock(self->mu_);
            self->writing_ = false;
            co_return;
        }
    }
}

asio::awaitable<void> ServerWebSocket::run(beast::tcp_stream stream,
                                           const bhttp::request<bhttp::empty_body>& upgrade,
                                           std::string_view requestId, LiveConnection& live) {
    // The stream must die with the connection, on its I/O thread, not with this object (which a
    // handler may keep past the server's life): Beast's websocket service lives in the io_context.
    struct ReleaseStream {
        ServerWebSocket& self;
        ~ReleaseStream() {
            self.finish();  // no-op unless the loop was torn down mid-way (server destroyed)
            self.ws_.reset();
        }
    } release{*this};

    stream.expires_never();  // the websocket stream keeps its own timeouts
    ws_.emplace(std::move(stream));
    ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    std::string id(requestId);
    ws_->set_option(websocket::stream_base::decorator(
        [id](websocket::response_type& res) { res.set("X-Request-Id", id); }));
    ws_->read_message_max(maxMessage_);

    auto [ec] = co_await ws_->async_accept(upgrade, kTuple);
    if (ec) {
        finish();
        co_return;
    }
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (state_ == State::kPending)
            state_ = State::kOpen;
        executor_ = ws_->get_executor();
        if (!queue_.empty() || state_ == State::kClosing)
            startWriterLocked();
    }
    std::weak_ptr<ServerWebSocket> weak = weak_from_this();
    live.interrupt = [weak] {
        if (auto self = weak.lock())
            self->close(1001, "Server shutting down");
    };

    beast::flat_buffer buffer;
    for (;;) {
        auto [rec, n] = co_await ws_->async_read(buffer, kTuple);
        if (rec)
            break;  // closed by the peer or by us, or failed
        std::shared_ptr<std::function<void(std::string_view)>> onMessage;
        {
            std::lock_guard<std::mutex> lock(mu_);
            onMessage = onMessage_;
        }
        if (onMessage && *onMessage) {
            auto data = buffer.cdata();
            (*onMessage)(std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        buffer.consume(buffer.size());
    }
    live.interrupt = nullptr;
    finish();
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);  // ends a write still in flight
    // Let the writer (or its pending start) see the end before the stream goes away.
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            if (!writing_)
                break;
        }
        co_await asio::post(ws_->get_executor(), asio::use_awaitable);
    }
}

}  // namespace

std::shared_ptr<WebSocketSession> NewServerWebSocket(const HttpServerOptions& options) {
    return std::make_shared<ServerWebSocket>(options);
}

void RefuseWebSocket(WebSocketSession& session) {
    static_cast<ServerWebSocket&>(session).finish();
}

asio::awaitable<void> RunWebSocket(std::shared_ptr<WebSocketSession> session,
                                   beast::tcp_stream stream,
                                   const bhttp::request<bhttp::empty_body>& upgrade,
                                   std::string_view requestId, LiveConnection& live) {
    auto self = std::static_pointer_cast<ServerWebSocket>(std::move(session));
    co_await self->run(std::move(stream), upgrade, requestId, live);
}

}  // namespace pinfold::http::detail

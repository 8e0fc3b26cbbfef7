// WebSocketSession: one accepted WebSocket connection as a route's handler sees it, free of Beast
// types (http/websocket_session.cpp implements it over Beast).
//
// Thread-safe: send() and close() may be called from any thread at any time, also after the peer
// has gone (they then do nothing). Outgoing messages wait in a bounded queue: when a slow reader
// lets it fill up, new messages are dropped and counted rather than buffered without limit, so one
// stalled subscriber never holds back a producer (log fan-out) or grows the server's memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pinfold::http {

class WebSocketSession {
  public:
    virtual ~WebSocketSession() = default;

    // Queues one text message. Returns false when the session is closed or closing, or when the
    // queue is full (the message is dropped and counted in dropped()). Never blocks.
    virtual bool send(std::string text) = 0;

    // Sends what is queued, then a close frame with `code` (1000 normal, 1001 going away, 1008
    // policy violation, 1011 server error). Idempotent.
    virtual void close(uint16_t code = 1000, std::string reason = {}) = 0;

    // Called once, on the session's I/O thread, when the connection has ended for any reason
    // (also when the handler refused it). Set it from the WebSocketHandler; if the session has
    // already ended when it is set, it is called at once on the calling thread.
    virtual void setOnClose(std::function<void()> callback) = 0;

    // Called on the session's I/O thread for each text or binary message from the peer.
    // Messages over the server's wsMaxMessageBytes close the session with 1009.
    virtual void setOnMessage(std::function<void(std::string_view)> callback) = 0;

    // Messages dropped because the queue was full.
    virtual uint64_t dropped() const = 0;

    // True between the handshake and the end of the connection.
    virtual bool isOpen() const = 0;
};

}  // namespace pinfold::http

// Authenticator: establishes who is calling before a handler runs (http/auth.cpp implements it
// over the key and agent services; tests use a fake).
//
// The server calls authenticate() for every route whose auth is not kNone, after routing and the
// Content-Length check and before the body is read, on an I/O thread: implementations must be
// thread-safe and must not block for long (no network, no waiting behind slow work).
#pragma once

#include "core/result.h"
#include "http/host_classifier.h"
#include "http/message.h"
#include "http/route.h"

namespace pinfold::http {

class Authenticator {
  public:
    virtual ~Authenticator() = default;

    // The caller, or a Status the status map turns into the response (normally Unauthorized;
    // NotFound to hide an agent that is not the caller's).
    // `request` has headers, query, cookies and pathParams filled in; its body is not read yet.
    virtual Result<Caller> authenticate(const Request& request, const Route& route,
                                        const HostInfo& host) = 0;
};

}  // namespace pinfold::http

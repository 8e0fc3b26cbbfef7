// Small pieces every handler uses: JSON responses and the Status -> response bridge.
#pragma once

#include <boost/json/value.hpp>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "http/route.h"
#include "http/services.h"
#include "http/status_map.h"

namespace pinfold::http {

Response JsonOk(const boost::json::value& body, int status = 200);

// The {agentId} of the route's path.
std::string AgentIdOf(const HandlerContext& ctx);

// A route's Handler from a handler function of the shape Response(Services&, HandlerContext&).
using ServiceHandler = Response (*)(Services&, HandlerContext&);
Handler BindServices(Services& services, ServiceHandler fn);

// `{"error": message}` with the status the map gives for the Status kind.
#define PINFOLD_HTTP_TRY(expr)                     \
    do {                                           \
        ::pinfold::Status pinfold_http_s = (expr); \
        if (!pinfold_http_s.ok())                  \
            return ErrorResponse(pinfold_http_s);  \
    } while (0)

#define PINFOLD_HTTP_ASSIGN(lhs, expr) \
    PINFOLD_HTTP_ASSIGN_IMPL(PINFOLD_CONCAT(pinfold_http_r_, __LINE__), lhs, expr)
#define PINFOLD_HTTP_ASSIGN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                           \
    if (!tmp.ok())                               \
        return ErrorResponse(tmp.status());      \
    lhs = std::move(tmp).value()

}  // namespace pinfold::http

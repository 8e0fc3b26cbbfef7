#include "http/handler_util.h"

#include <boost/json/serialize.hpp>

namespace pinfold::http {

Response JsonOk(const boost::json::value& body, int status) {
    return Response::Json(status, boost::json::serialize(body));
}

std::string AgentIdOf(const HandlerContext& ctx) {
    return std::string(ctx.request.pathParam("agentId"));
}

Handler BindServices(Services& services, ServiceHandler fn) {
    return [&services, fn](HandlerContext& ctx) { return fn(services, ctx); };
}

}  // namespace pinfold::http

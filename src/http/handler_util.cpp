#include "http/handler_util.h"

#include <boost/json/serialize.hpp>

namespace pinfold::http {

Response JsonOk(const boost::json::value& body, int status) {
    return Response::Json(status, boost::json::serialize(body));
}

}  // namespace pinfold::http

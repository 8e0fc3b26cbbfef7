#include "http/status_map.h"

#include <gtest/gtest.h>

namespace pinfold::http {
namespace {

TEST(StatusMap, EveryKindHasItsHttpStatus) {
    EXPECT_EQ(HttpStatusFor(Status::Code::kOk), 200);
    EXPECT_EQ(HttpStatusFor(Status::Code::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusFor(Status::Code::kUnauthorized), 401);
    EXPECT_EQ(HttpStatusFor(Status::Code::kForbidden), 403);
    EXPECT_EQ(HttpStatusFor(Status::Code::kNotFound), 404);
    EXPECT_EQ(HttpStatusFor(Status::Code::kConflict), 409);
    EXPECT_EQ(HttpStatusFor(Status::Code::kTooLarge), 413);
    EXPECT_EQ(HttpStatusFor(Status::Code::kTooManyRequests), 429);
    EXPECT_EQ(HttpStatusFor(Status::Code::kUnavailable), 503);
    EXPECT_EQ(HttpStatusFor(Status::Code::kTimeout), 504);
    EXPECT_EQ(HttpStatusFor(Status::Code::kInternal), 500);
}

TEST(StatusMap, ErrorResponseCarriesTheMessage) {
    Response r = ErrorResponse(Status::NotFound("Agent not found"));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_EQ(r.body, R"({"error":"Agent not found"})");
    EXPECT_EQ(ErrorResponse(Status::Forbidden("Agent limit reached")).body,
              R"({"error":"Agent limit reached"})");
    EXPECT_EQ(ErrorResponse(Status::Conflict("Agent is \"busy\"\n")).body,
              R"({"error":"Agent is \"busy\"\n"})");
}

TEST(StatusMap, MissingMessageGetsAGenericOne) {
    EXPECT_EQ(ErrorResponse(Status::NotFound("")).body, R"({"error":"Not found"})");
    EXPECT_EQ(ErrorResponse(Status::TooLarge("")).body, R"({"error":"Request body too large"})");
    EXPECT_EQ(ErrorResponse(Status::Unauthorized("")).status, 401);
}

TEST(StatusMap, OkIsABugAndBecomes500) {
    Response r = ErrorResponse(Status::Ok());
    EXPECT_EQ(r.status, 500);
    EXPECT_EQ(r.body, R"({"error":"Internal error"})");
}

}  // namespace
}  // namespace pinfold::http

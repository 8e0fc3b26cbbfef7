// Reading typed fields out of a request's JSON object, with the error texts every handler shares:
// "Validation failed: name is required", "Validation failed: name must be a string".
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace pinfold::http {

Result<std::string> RequiredString(const boost::json::object& body, std::string_view field);
// Absent or null -> nullopt.
Result<std::optional<std::string>> OptionalString(const boost::json::object& body,
                                                  std::string_view field);
Result<std::optional<int64_t>> OptionalInt(const boost::json::object& body, std::string_view field);
Result<std::optional<std::vector<std::string>>> OptionalStringArray(const boost::json::object& body,
                                                                    std::string_view field);

}  // namespace pinfold::http

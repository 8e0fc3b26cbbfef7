#include "http/json_fields.h"

namespace pinfold::http {
namespace {

Status TypeError(std::string_view field, std::string_view type) {
    return Status::InvalidArgument("Validation failed: " + std::string(field) + " must be " +
                                   std::string(type));
}

const boost::json::value* Find(const boost::json::object& body, std::string_view field) {
    auto it = body.find(field);
    if (it == body.end() || it->value().is_null())
        return nullptr;
    return &it->value();
}

}  // namespace

Result<std::string> RequiredString(const boost::json::object& body, std::string_view field) {
    const boost::json::value* v = Find(body, field);
    if (!v)
        return Status::InvalidArgument("Validation failed: " + std::string(field) + " is required");
    if (!v->is_string())
        return TypeError(field, "a string");
    return std::string(v->get_string());
}

Result<std::optional<std::string>> OptionalString(const boost::json::object& body,
                                                  std::string_view field) {
    const boost::json::value* v = Find(body, field);
    if (!v)
        return std::optional<std::string>();
    if (!v->is_string())
        return TypeError(field, "a string");
    return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::optional<int64_t>> OptionalInt(const boost::json::object& body,
                                           std::string_view field) {
    const boost::json::value* v = Find(body, field);
    if (!v)
        return std::optional<int64_t>();
    if (v->is_int64())
        return std::optional<int64_t>(v->get_int64());
    if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
        return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
    }
    return TypeError(field, "an integer");
}

Result<std::optional<std::vector<std::string>>> OptionalStringArray(const boost::json::object& body,
                                                                    std::string_view field) {
    const boost::json::value* v = Find(body, field);
    if (!v)
        return std::optional<std::vector<std::string>>();
    if (!v->is_array())
        return TypeError(field, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : v->get_array()) {
        if (!item.is_string())
            return TypeError(field, "an array of strings");
        out.emplace_back(item.get_string());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
}

}  // namespace pinfold::http

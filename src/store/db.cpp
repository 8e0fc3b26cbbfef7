#include "store/db.h"

namespace pinfold::store {

bool DbRow::isNull(size_t i) const {
    return std::holds_alternative<std::monostate>(values.at(i));
}

int64_t DbRow::getInt(size_t i) const {
    const DbValue& v = values.at(i);
    if (const auto* n = std::get_if<int64_t>(&v))
        return *n;
    if (const auto* d = std::get_if<double>(&v))
        return static_cast<int64_t>(*d);
    return 0;
}

std::optional<int64_t> DbRow::getOptInt(size_t i) const {
    if (isNull(i))
        return std::nullopt;
    return getInt(i);
}

double DbRow::getDouble(size_t i) const {
    const DbValue& v = values.at(i);
    if (const auto* d = std::get_if<double>(&v))
        return *d;
    if (const auto* n = std::get_if<int64_t>(&v))
        return static_cast<double>(*n);
    return 0;
}

std::string DbRow::getText(size_t i) const {
    const DbValue& v = values.at(i);
    if (const auto* s = std::get_if<std::string>(&v))
        return *s;
    if (const auto* n = std::get_if<int64_t>(&v))
        return std::to_string(*n);
    return "";
}

std::optional<std::string> DbRow::getOptText(size_t i) const {
    if (isNull(i))
        return std::nullopt;
    return getText(i);
}

}  // namespace pinfold::store

#include "core/text.h"

#include <cstdint>

namespace pinfold {

namespace {

// The length of the valid UTF-8 sequence at the start of `s`, or 0 when it is not one.
size_t ValidSequenceLength(std::string_view s) {
    auto c = static_cast<unsigned char>(s[0]);
    size_t extra;
    uint32_t min;
    if (c < 0x80) {
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        extra = 1, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3, min = 0x10000;
    } else {
        return 0;
    }
    if (extra >= s.size())
        return 0;
    uint32_t cp = c & (0x3F >> extra);
    for (size_t k = 1; k <= extra; ++k) {
        auto cc = static_cast<unsigned char>(s[k]);
        if ((cc & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
    if (cp < min || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return extra + 1;
}

}  // namespace

std::optional<size_t> Utf8Length(std::string_view s) {
    size_t count = 0;
    while (!s.empty()) {
        size_t n = ValidSequenceLength(s);
        if (n == 0)
            return std::nullopt;
        s.remove_prefix(n);
        ++count;
    }
    return count;
}

std::string ToValidUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    while (!s.empty()) {
        size_t n = ValidSequenceLength(s);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            n = 1;
        } else {
            out.append(s.data(), n);
        }
        s.remove_prefix(n);
    }
    return out;
}

bool HasControlCharacter(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F)
            return true;
    }
    return false;
}

std::string_view TrimAscii(std::string_view s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

}  // namespace pinfold

#include "content/varint.h"

namespace pinfold::content {

void AppendVarint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7f) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

size_t VarintSize(uint64_t value) {
    size_t n = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++n;
    }
    return n;
}

std::optional<uint64_t> ReadVarint(std::string_view& in) {
    uint64_t value = 0;
    for (size_t i = 0; i < in.size() && i < kMaxVarintBytes; ++i) {
        uint8_t byte = static_cast<uint8_t>(in[i]);
        value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
        if ((byte & 0x80) == 0) {
            // A last group of zero after the first byte means a shorter encoding existed.
            if (byte == 0 && i > 0)
                return std::nullopt;
            in.remove_prefix(i + 1);
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace pinfold::content

#include "content/unixfs.h"

#include "content/varint.h"

namespace pinfold::content {
namespace {

constexpr uint8_t kWireVarint = 0;
constexpr uint8_t kWire64 = 1;
constexpr uint8_t kWireBytes = 2;
constexpr uint8_t kWire32 = 5;

void AppendVarintField(std::string& out, uint32_t field, uint64_t value) {
    AppendVarint(out, (field << 3) | kWireVarint);
    AppendVarint(out, value);
}

void AppendBytesField(std::string& out, uint32_t field, std::string_view bytes) {
    AppendVarint(out, (field << 3) | kWireBytes);
    AppendVarint(out, bytes.size());
    out.append(bytes);
}

Status Invalid(std::string_view reason) {
    return Status::InvalidArgument("Invalid UnixFS data: " + std::string(reason));
}

}  // namespace

std::string EncodeUnixFsData(const UnixFsData& d) {
    std::string out;
    AppendVarintField(out, 1, static_cast<uint64_t>(d.type));
    if (d.data)
        AppendBytesField(out, 2, *d.data);
    if (d.fileSize)
        AppendVarintField(out, 3, *d.fileSize);
    for (uint64_t size : d.blockSizes)
        AppendVarintField(out, 4, size);
    if (d.hashType)
        AppendVarintField(out, 5, *d.hashType);
    if (d.fanout)
        AppendVarintField(out, 6, *d.fanout);
    if (d.mode)
        AppendVarintField(out, 7, *d.mode);
    if (d.mtime)
        AppendBytesField(out, 8, *d.mtime);
    return out;
}

Result<UnixFsData> DecodeUnixFsData(std::string_view in) {
    UnixFsData d;
    bool haveType = false;
    while (!in.empty()) {
        std::optional<uint64_t> tag = ReadVarint(in);
        if (!tag)
            return Invalid("bad field tag");
        uint64_t field = *tag >> 3;
        uint8_t wire = static_cast<uint8_t>(*tag & 7);
        uint64_t value = 0;
        std::string_view bytes;
        if (wire == kWireVarint) {
            std::optional<uint64_t> v = ReadVarint(in);
            if (!v)
                return Invalid("bad varint");
            value = *v;
        } else if (wire == kWireBytes) {
            std::optional<uint64_t> len = ReadVarint(in);
            if (!len || *len > in.size())
                return Invalid("truncated field");
            bytes = in.substr(0, *len);
            in.remove_prefix(*len);
        } else if (wire == kWire64 || wire == kWire32) {
            size_t width = wire == kWire64 ? 8 : 4;
            if (in.size() < width)
                return Invalid("truncated field");
            in.remove_prefix(width);
        } else {
            return Invalid("unexpected wire type");
        }
        bool isVarint = wire == kWireVarint;
        bool isBytes = wire == kWireBytes;
        if (field == 1 && isVarint) {
            if (value > static_cast<uint64_t>(UnixFsType::kHamtShard))
                return Invalid("unknown type");
            d.type = static_cast<UnixFsType>(value);
            haveType = true;
        } else if (field == 2 && isBytes) {
            d.data = std::string(bytes);
        } else if (field == 3 && isVarint) {
            d.fileSize = value;
        } else if (field == 4 && isVarint) {
            d.blockSizes.push_back(value);
        } else if (field == 4 && isBytes) {
            // Packed blocksizes: proto2 writers may choose either form.
            while (!bytes.empty()) {
                std::optional<uint64_t> v = ReadVarint(bytes);
                if (!v)
                    return Invalid("bad packed blocksizes");
                d.blockSizes.push_back(*v);
            }
        } else if (field == 5 && isVarint) {
            d.hashType = value;
        } else if (field == 6 && isVarint) {
            d.fanout = value;
        } else if (field == 7 && isVarint) {
            d.mode = static_cast<uint32_t>(value);
        } else if (field == 8 && isBytes) {
            d.mtime = std::string(bytes);
        } else if (field >= 1 && field <= 8) {
            return Invalid("field with the wrong wire type");
        }
        // Unknown fields are skipped, as protobuf readers do.
    }
    if (!haveType)
        return Invalid("missing Type");
    return d;
}

}  // namespace pinfold::content

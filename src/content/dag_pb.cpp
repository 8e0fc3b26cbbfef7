#include "content/dag_pb.h"

#include "content/varint.h"

namespace pinfold::content {
namespace {

constexpr uint8_t kWireVarint = 0;
constexpr uint8_t kWireBytes = 2;

void AppendTag(std::string& out, uint32_t field, uint8_t wireType) {
    AppendVarint(out, (field << 3) | wireType);
}

void AppendBytesField(std::string& out, uint32_t field, std::string_view bytes) {
    AppendTag(out, field, kWireBytes);
    AppendVarint(out, bytes.size());
    out.append(bytes);
}

Status Invalid(std::string_view reason) {
    return Status::InvalidArgument("Invalid dag-pb block: " + std::string(reason));
}

// One protobuf field: its number, and either a varint value or a byte range.
struct Field {
    uint32_t number = 0;
    uint8_t wireType = 0;
    uint64_t varint = 0;
    std::string_view bytes;
};

Result<Field> ReadField(std::string_view& in) {
    std::optional<uint64_t> tag = ReadVarint(in);
    if (!tag || (*tag >> 3) == 0 || (*tag >> 3) > 0xffffffffu)
        return Invalid("bad field tag");
    Field f;
    f.number = static_cast<uint32_t>(*tag >> 3);
    f.wireType = static_cast<uint8_t>(*tag & 7);
    if (f.wireType == kWireVarint) {
        std::optional<uint64_t> v = ReadVarint(in);
        if (!v)
            return Invalid("bad varint");
        f.varint = *v;
    } else if (f.wireType == kWireBytes) {
        std::optional<uint64_t> len = ReadVarint(in);
        if (!len || *len > in.size())
            return Invalid("truncated field");
        f.bytes = in.substr(0, *len);
        in.remove_prefix(*len);
    } else {
        return Invalid("unexpected wire type");
    }
    return f;
}

Result<PBLink> DecodeLink(std::string_view in) {
    std::optional<Cid> hash;
    std::optional<std::string> name;
    std::optional<uint64_t> tsize;
    uint32_t lastField = 0;
    while (!in.empty()) {
        PINFOLD_ASSIGN_OR_RETURN(Field f, ReadField(in));
        if (f.number <= lastField)
            return Invalid("link fields out of order or repeated");
        lastField = f.number;
        if (f.number == 1 && f.wireType == kWireBytes) {
            Result<Cid> cid = Cid::FromBytes(f.bytes);
            if (!cid.ok())
                return Invalid("link Hash is not a supported CID");
            hash = *cid;
        } else if (f.number == 2 && f.wireType == kWireBytes) {
            name = std::string(f.bytes);
        } else if (f.number == 3 && f.wireType == kWireVarint) {
            tsize = f.varint;
        } else {
            return Invalid("unknown link field");
        }
    }
    if (!hash)
        return Invalid("link without Hash");
    return PBLink{*hash, std::move(name), tsize};
}

}  // namespace

std::string EncodePBNode(const PBNode& node) {
    std::string out;
    std::string link;
    for (const PBLink& l : node.links) {
        link.clear();
        AppendBytesField(link, 1, l.hash.bytes());
        if (l.name)
            AppendBytesField(link, 2, *l.name);
        if (l.tsize) {
            AppendTag(link, 3, kWireVarint);
            AppendVarint(link, *l.tsize);
        }
        AppendBytesField(out, 2, link);
    }
    if (node.data)
        AppendBytesField(out, 1, *node.data);
    return out;
}

Result<PBNode> DecodePBNode(std::string_view block) {
    PBNode node;
    while (!block.empty()) {
        PINFOLD_ASSIGN_OR_RETURN(Field f, ReadField(block));
        if (f.wireType != kWireBytes)
            return Invalid("unexpected wire type");
        if (f.number == 2) {
            if (node.data)
                return Invalid("Links after Data");
            PINFOLD_ASSIGN_OR_RETURN(PBLink link, DecodeLink(f.bytes));
            node.links.push_back(std::move(link));
        } else if (f.number == 1) {
            if (node.data)
                return Invalid("duplicate Data");
            node.data = std::string(f.bytes);
        } else {
            return Invalid("unknown node field");
        }
    }
    return node;
}

}  // namespace pinfold::content
